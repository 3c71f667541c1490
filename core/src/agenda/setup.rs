//! Setting a business up: its settings, services, professionals,
//! resources and clients (R9, R12–R14, R24).
//!
//! A change names only the fields it changes and is applied to the record
//! read in the same unit of work, so two people changing different fields
//! of one record at once both land.

use super::command::{
    BusinessFields, ClientFields, Command, LoginFields, ProfessionalFields, ResourceFields,
    ServiceFields,
};
use super::event::{Event, Journal};
use super::permission::Action;
use super::runner::{authorize, reused};
use super::{
    hold_client, hold_professional, hold_service, load_business, load_client, load_professional,
    load_resource, load_service, same_business, Agenda, Context,
};
use crate::account::{check_password, Account, PasswordHash, Passwords};
use crate::availability::Buffers;
use crate::business::{Activity, Business, Client, Professional, Profile, Resource, Service};
use crate::error::{Error, Problem, RecordKind};
use crate::ids::AccountId;
use crate::ids::{ClientId, ProfessionalId, ResourceId, ServiceId};
use crate::money::Money;
use crate::picture::{Picture, Subject};
use crate::store::{Access, Outcome, UnitOfWork};

impl Agenda {
    /// Opens a business. Opening one with its owner is
    /// [`Agenda::register`]; this is for the program that embeds the engine
    /// and keeps its own accounts.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] when its id is taken.
    pub async fn create_business(&self, business: &Business) -> Result<(), Error> {
        super::runner::retry(|| async {
            let mut work = self
                .store
                .begin(business.id(), crate::store::Access::Write)
                .await?;
            if work.business().await?.is_some() {
                return Err(Error::AlreadyExists {
                    record: RecordKind::Business,
                    id: business.id().to_string(),
                });
            }
            work.put_business(business).await?;
            work.commit().await
        })
        .await
    }

    /// Changes the business's settings: only the fields given.
    ///
    /// # Errors
    /// [`Error::Forbidden`] but for the owner; [`Error::Invalid`] naming
    /// `name` or `policy.…`.
    pub async fn change_business(
        &self,
        ctx: &Context,
        fields: &BusinessFields,
    ) -> Result<Business, Error> {
        self.run(ctx, &Command::ChangeBusiness(fields.clone()))
            .await?;
        let mut work = self
            .store
            .begin(ctx.business, crate::store::Access::Read)
            .await?;
        load_business(&mut *work, ctx.business).await
    }

    /// Adds a service.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field (`name`, `duration_minutes`,
    /// `price`…), [`Error::Forbidden`].
    pub async fn create_service(
        &self,
        ctx: &Context,
        fields: &ServiceFields,
    ) -> Result<Service, Error> {
        let outcome = self
            .run(ctx, &Command::CreateService(fields.clone()))
            .await?;
        self.service_of(ctx, outcome).await
    }

    /// Changes a service: only the fields given. Bookings made keep the
    /// price and duration they were made with.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Invalid`], [`Error::Forbidden`].
    pub async fn change_service(
        &self,
        ctx: &Context,
        service: ServiceId,
        fields: &ServiceFields,
    ) -> Result<Service, Error> {
        let command = Command::ChangeService {
            service,
            fields: fields.clone(),
        };
        let outcome = self.run(ctx, &command).await?;
        self.service_of(ctx, outcome).await
    }

    /// Creates or replaces a whole service.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the business or the service's resource;
    /// [`Error::CurrencyMismatch`] when the price is not in the business's
    /// currency.
    pub async fn save_service(&self, ctx: &Context, service: &Service) -> Result<(), Error> {
        self.run(ctx, &Command::SaveService(service.clone()))
            .await
            .map(drop)
    }

    /// Keeps `picture` as the logo or a professional's photo, replacing
    /// the one it had; `None` removes it.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the professional; [`Error::Forbidden`] but
    /// for the owner.
    pub async fn set_picture(
        &self,
        ctx: &Context,
        subject: Subject,
        picture: Option<Picture>,
    ) -> Result<(), Error> {
        let command = match picture {
            Some(picture) => Command::SetPicture { subject, picture },
            None => Command::RemovePicture { subject },
        };
        self.run(ctx, &command).await.map(drop)
    }

    /// Whether the context's actor may set `subject`'s picture and the
    /// subject exists: what a host asks before reading an upload, so a
    /// caller who may not (or names another business's professional)
    /// costs no decoding.
    ///
    /// # Errors
    /// [`Error::Forbidden`]; [`Error::NotFound`] for the professional.
    pub async fn may_set_picture(&self, ctx: &Context, subject: Subject) -> Result<(), Error> {
        let command = Command::RemovePicture { subject };
        authorize(ctx, command.action())?;
        if let Subject::Professional(id) = subject {
            let mut work = self.store.begin(ctx.business, Access::Read).await?;
            load_professional(&mut *work, id).await?;
        }
        Ok(())
    }

    /// The logo or a professional's photo, if one is kept. Anyone who may
    /// act in the business may see it: pictures are what the business
    /// shows.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is none.
    pub async fn picture(&self, ctx: &Context, subject: Subject) -> Result<Picture, Error> {
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        work.picture(subject).await?.ok_or_else(|| Error::NotFound {
            record: RecordKind::Picture,
            id: subject.key(),
        })
    }

    /// Adds a resource (a room, a chair, a machine).
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field (`name`, `kind`, `capacity`,
    /// `hours.…`); [`Error::Forbidden`] but for the owner.
    pub async fn create_resource(
        &self,
        ctx: &Context,
        fields: &ResourceFields,
    ) -> Result<Resource, Error> {
        let outcome = self
            .run(ctx, &Command::CreateResource(fields.clone()))
            .await?;
        self.resource_of(ctx, outcome).await
    }

    /// Changes a resource: only the fields given; [`ResourceFields::retired`]
    /// retires it.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Invalid`], [`Error::Forbidden`].
    pub async fn change_resource(
        &self,
        ctx: &Context,
        resource: ResourceId,
        fields: &ResourceFields,
    ) -> Result<Resource, Error> {
        let command = Command::ChangeResource {
            resource,
            fields: fields.clone(),
        };
        let outcome = self.run(ctx, &command).await?;
        self.resource_of(ctx, outcome).await
    }

    /// The resources, by name, retired ones included.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for an actor who may not see them.
    pub async fn resources(&self, ctx: &Context) -> Result<Vec<Resource>, Error> {
        authorize(ctx, Action::ReadClients)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        work.resources().await
    }

    /// A resource.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Forbidden`].
    pub async fn resource(&self, ctx: &Context, id: ResourceId) -> Result<Resource, Error> {
        authorize(ctx, Action::ReadClients)?;
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        load_resource(&mut *work, id).await
    }

    async fn resource_of(&self, ctx: &Context, outcome: Outcome) -> Result<Resource, Error> {
        let Outcome::Resource(id) = outcome else {
            return Err(reused(ctx));
        };
        let mut work = self.store.begin(ctx.business, Access::Read).await?;
        load_resource(&mut *work, id).await
    }

    /// Adds a professional.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field (`hours.weekly.mon[0]`);
    /// [`Error::NotFound`] for a service named; [`Error::Forbidden`].
    pub async fn create_professional(
        &self,
        ctx: &Context,
        fields: &ProfessionalFields,
    ) -> Result<Professional, Error> {
        let command = Command::CreateProfessional {
            fields: fields.clone(),
            login: None,
            password: None,
        };
        let outcome = self.run(ctx, &command).await?;
        self.professional_of(ctx, outcome).await
    }

    /// Adds a professional with a login (R5), together or not at all: the
    /// account signs in with `login.email` and `password` and carries the
    /// professional's name. Under an idempotency key a retry must send the
    /// same password too, which is checked by verifying it.
    ///
    /// # Errors
    /// As [`Agenda::create_professional`]; [`Error::Invalid`] for
    /// `login.password` or `login.role`; [`Error::EmailTaken`];
    /// [`Error::Busy`] from `passwords`.
    pub async fn create_professional_with_login(
        &self,
        ctx: &Context,
        fields: &ProfessionalFields,
        login: &LoginFields,
        password: &str,
        passwords: &dyn Passwords,
    ) -> Result<(Professional, Account), Error> {
        authorize(ctx, Action::EditStaff)?;
        check_password(password, &login.email).map_err(|e| e.at("login.password"))?;
        let hash = passwords.hash(password).await?;
        let command = Command::CreateProfessional {
            fields: fields.clone(),
            login: Some(login.clone()),
            password: Some(hash),
        };
        let (outcome, replayed) = self.run_traced(ctx, &command).await?;
        let professional = self.professional_of(ctx, outcome).await?;
        let mut work = self
            .store
            .begin(ctx.business, crate::store::Access::Read)
            .await?;
        let account = work
            .accounts()
            .await?
            .into_iter()
            .find(|a| a.professional() == Some(professional.id()))
            .ok_or_else(|| reused(ctx))?;
        drop(work);
        if replayed && !passwords.verify(password, account.password()).await? {
            return Err(reused(ctx));
        }
        Ok((professional, account))
    }

    /// Changes a professional: only the fields given.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Invalid`], [`Error::Forbidden`].
    pub async fn change_professional(
        &self,
        ctx: &Context,
        professional: ProfessionalId,
        fields: &ProfessionalFields,
    ) -> Result<Professional, Error> {
        let command = Command::ChangeProfessional {
            professional,
            fields: fields.clone(),
        };
        let outcome = self.run(ctx, &command).await?;
        self.professional_of(ctx, outcome).await
    }

    /// Creates or replaces a whole professional.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the business or one of the services.
    pub async fn save_professional(
        &self,
        ctx: &Context,
        professional: &Professional,
    ) -> Result<(), Error> {
        self.run(ctx, &Command::SaveProfessional(professional.clone()))
            .await
            .map(drop)
    }

    /// Creates or replaces a resource.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the business.
    pub async fn save_resource(&self, ctx: &Context, resource: &Resource) -> Result<(), Error> {
        self.run(ctx, &Command::SaveResource(resource.clone()))
            .await
            .map(drop)
    }

    /// Adds a client.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field; [`Error::Forbidden`].
    pub async fn create_client(
        &self,
        ctx: &Context,
        fields: &ClientFields,
    ) -> Result<Client, Error> {
        let outcome = self
            .run(ctx, &Command::CreateClient(fields.clone()))
            .await?;
        self.client_of(ctx, outcome).await
    }

    /// Changes a client: only the fields given.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Invalid`], [`Error::Forbidden`].
    pub async fn change_client(
        &self,
        ctx: &Context,
        client: ClientId,
        fields: &ClientFields,
    ) -> Result<Client, Error> {
        let command = Command::ChangeClient {
            client,
            fields: fields.clone(),
        };
        let outcome = self.run(ctx, &command).await?;
        self.client_of(ctx, outcome).await
    }

    /// Creates or replaces a whole client.
    ///
    /// # Errors
    /// [`Error::NotFound`] for the business.
    pub async fn save_client(&self, ctx: &Context, client: &Client) -> Result<(), Error> {
        self.run(ctx, &Command::SaveClient(client.clone()))
            .await
            .map(drop)
    }

    /// The clients whose name, e-mail or phone matches `query` (accents
    /// and case ignored; all when it is blank), by name; retired ones only
    /// with `retired`.
    ///
    /// # Errors
    /// [`Error::Forbidden`] for an actor who may not see clients.
    pub async fn clients(
        &self,
        ctx: &Context,
        query: &str,
        retired: bool,
    ) -> Result<Vec<Client>, Error> {
        authorize(ctx, Action::ReadClients)?;
        let mut work = self
            .store
            .begin(ctx.business, crate::store::Access::Read)
            .await?;
        Ok(work
            .clients()
            .await?
            .into_iter()
            .filter(|c| retired || c.activity() == Activity::Active)
            .filter(|c| c.matches(query))
            .collect())
    }

    /// A client.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Forbidden`].
    pub async fn client(&self, ctx: &Context, id: ClientId) -> Result<Client, Error> {
        authorize(ctx, Action::ReadClients)?;
        let mut work = self
            .store
            .begin(ctx.business, crate::store::Access::Read)
            .await?;
        load_client(&mut *work, id).await
    }

    async fn service_of(&self, ctx: &Context, outcome: Outcome) -> Result<Service, Error> {
        let Outcome::Service(id) = outcome else {
            return Err(reused(ctx));
        };
        let mut work = self
            .store
            .begin(ctx.business, crate::store::Access::Read)
            .await?;
        load_service(&mut *work, id).await
    }

    async fn professional_of(
        &self,
        ctx: &Context,
        outcome: Outcome,
    ) -> Result<Professional, Error> {
        let Outcome::Professional(id) = outcome else {
            return Err(reused(ctx));
        };
        let mut work = self
            .store
            .begin(ctx.business, crate::store::Access::Read)
            .await?;
        load_professional(&mut *work, id).await
    }

    async fn client_of(&self, ctx: &Context, outcome: Outcome) -> Result<Client, Error> {
        let Outcome::Client(id) = outcome else {
            return Err(reused(ctx));
        };
        let mut work = self
            .store
            .begin(ctx.business, crate::store::Access::Read)
            .await?;
        load_client(&mut *work, id).await
    }
}

fn required(field: &str) -> Error {
    Error::Invalid {
        field: field.to_owned(),
        problem: Problem::Required,
    }
}

fn activity(active: Option<bool>, current: Activity) -> Activity {
    match active {
        Some(true) => Activity::Active,
        Some(false) => Activity::Retired,
        None => current,
    }
}

pub(super) async fn change_business(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    fields: &BusinessFields,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let current = work
        .business_for_update()
        .await?
        .ok_or_else(|| Error::NotFound {
            record: RecordKind::Business,
            id: ctx.business.to_string(),
        })?;
    let policy = match &fields.policy {
        Some(query) => query
            .to_policy(current.currency())
            .map_err(|e| e.under("policy"))?,
        None => current.policy().clone(),
    };
    let changed = Business::new(
        current.id(),
        fields.name.as_deref().unwrap_or(current.name()),
        current.zone(),
        current.currency(),
        fields.locale.unwrap_or(current.locale()),
    )
    .map_err(|e| e.at("name"))?
    .with_policy(policy)?
    .with_confirmation(fields.confirmation.unwrap_or(current.confirmation()))
    .with_notify(fields.notify.unwrap_or(*current.notify()))
    .with_commissions(current.commissions().to_vec())?
    .with_slug(pick(&fields.slug, current.slug().cloned()))
    .with_profile(profile_from(current.profile(), fields)?);
    work.put_business(&changed).await?;
    journal.record(Event::BusinessChanged);
    Ok(Outcome::Business)
}

/// The profile `fields` give over `current`.
fn profile_from(current: &Profile, fields: &BusinessFields) -> Result<Profile, Error> {
    Profile::new(
        fields.legal_name.as_deref().unwrap_or(current.legal_name()),
        pick(&fields.tax_id, current.tax_id().cloned()),
        pick(&fields.phone, current.phone().cloned()),
        pick(&fields.email, current.email().cloned()),
        fields.address.as_deref().unwrap_or(current.address()),
        pick(&fields.colour, current.colour()),
        fields
            .description
            .as_deref()
            .unwrap_or(current.description()),
    )
}

pub(super) async fn set_picture(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    subject: Subject,
    picture: Option<&Picture>,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    load_business(work, ctx.business).await?;
    if let Subject::Professional(id) = subject {
        load_professional(work, id).await?;
    }
    match picture {
        Some(picture) => work.put_picture(subject, picture).await?,
        None => {
            work.delete_picture(subject).await?;
        }
    }
    journal.record(Event::PictureChanged {
        subject: subject.key(),
    });
    Ok(Outcome::Business)
}

/// The service `fields` describe, over `current` when it is a change.
fn service_from(
    business: &Business,
    id: ServiceId,
    current: Option<&Service>,
    fields: &ServiceFields,
) -> Result<Service, Error> {
    let name = fields
        .name
        .as_deref()
        .or(current.map(Service::name))
        .ok_or_else(|| required("name"))?;
    let duration = fields
        .duration_minutes
        .or(current.map(Service::duration_minutes))
        .ok_or_else(|| required("duration_minutes"))?;
    let price = match fields.price {
        Some(amount) => Money::new(amount, business.currency()).map_err(|e| e.at("price"))?,
        None => current
            .map(Service::price)
            .ok_or_else(|| required("price"))?,
    };
    let before = fields
        .buffer_before_minutes
        .or(current.map(|c| c.buffers().before_minutes()))
        .unwrap_or(0);
    let after = fields
        .buffer_after_minutes
        .or(current.map(|c| c.buffers().after_minutes()))
        .unwrap_or(0);
    let description = fields
        .description
        .as_deref()
        .or(current.map(Service::description))
        .unwrap_or("");
    let buffers = Buffers::new(before, after)?;
    let policy = match &fields.policy {
        Some(Some(query)) => Some(
            query
                .to_policy(business.currency())
                .map_err(|e| e.under("policy"))?,
        ),
        Some(None) => None,
        None => current.and_then(|c| c.policy().cloned()),
    };
    let mut service = Service::new(id, business.id(), name, duration, price)?
        .with_description(description)?
        .with_buffers(buffers)
        .with_policy(policy)?
        .with_resource(pick(&fields.resource, current.and_then(Service::resource)));
    let kind = match &fields.resource_kind {
        Some(kind) => kind.clone(),
        None if fields.resource.flatten().is_some() => None,
        None => current.and_then(Service::resource_kind).map(str::to_owned),
    };
    if kind.is_some() || fields.resource_kind.is_some() {
        service = service.with_resource_kind(kind.as_deref())?;
    }
    let was = current.map_or(Activity::Active, Service::activity);
    Ok(service.with_activity(activity(fields.active, was)))
}

pub(super) async fn create_service(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    fields: &ServiceFields,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let business = load_business(work, ctx.business).await?;
    let service = service_from(&business, ServiceId::random(), None, fields)?;
    needs_exist(work, &service).await?;
    work.put_service(&service).await?;
    journal.record(Event::ServiceCreated {
        service: service.id(),
    });
    Ok(Outcome::Service(service.id()))
}

pub(super) async fn change_service(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    id: ServiceId,
    fields: &ServiceFields,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let business = load_business(work, ctx.business).await?;
    let current = hold_service(work, id).await?;
    let service = service_from(&business, id, Some(&current), fields)?;
    needs_exist(work, &service).await?;
    work.put_service(&service).await?;
    journal.record(Event::ServiceChanged { service: id });
    Ok(Outcome::Service(id))
}

pub(super) async fn save_service(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    service: &Service,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let business = load_business(work, ctx.business).await?;
    same_business(ctx, service.business(), RecordKind::Service, service.id())?;
    if service.price().currency() != business.currency() {
        return Err(Error::CurrencyMismatch {
            expected: business.currency(),
            found: service.price().currency(),
        });
    }
    if let Some(resource) = service.resource() {
        load_resource(work, resource).await?;
    }
    let existed = work.service(service.id()).await?.is_some();
    work.put_service(service).await?;
    journal.record(if existed {
        Event::ServiceChanged {
            service: service.id(),
        }
    } else {
        Event::ServiceCreated {
            service: service.id(),
        }
    });
    Ok(Outcome::Service(service.id()))
}

/// Refuses a service needing a room the business does not have (not
/// found, as any other business's record), or a kind of room it has no
/// active one of (naming the field).
async fn needs_exist(work: &mut dyn UnitOfWork, service: &Service) -> Result<(), Error> {
    if let Some(id) = service.resource() {
        load_resource(work, id).await?;
    }
    if let Some(kind) = service.resource_kind() {
        super::booking::rooms_of(work, kind)
            .await
            .map_err(|e| match e {
                Error::NoResourceOfKind { kind } => Error::invalid(
                    "resource_kind",
                    Problem::UnknownValue {
                        value: crate::error::clip(&kind),
                        expected: "the kind of an active resource (see /v1/resources)",
                    },
                ),
                other => other,
            })?;
    }
    Ok(())
}

/// The resource `fields` describe, over `current` when it is a change.
fn resource_from(
    ctx: &Context,
    id: ResourceId,
    current: Option<&Resource>,
    fields: &ResourceFields,
) -> Result<Resource, Error> {
    let name = fields
        .name
        .as_deref()
        .or(current.map(Resource::name))
        .ok_or_else(|| required("name"))?;
    let kind = fields
        .kind
        .as_deref()
        .or(current.map(Resource::kind))
        .unwrap_or("");
    let capacity = fields
        .capacity
        .or(current.map(Resource::capacity))
        .unwrap_or(1);
    let mut resource = Resource::new(id, ctx.business, name)?
        .with_kind(kind)?
        .with_capacity(capacity)?;
    if let Some(hours) = &fields.hours {
        resource = resource.with_hours(hours.to_hours().map_err(|e| e.under("hours"))?);
    } else if let Some(current) = current {
        resource = resource.with_hours(current.hours().clone());
    }
    let was = current.map_or(Activity::Active, Resource::activity);
    Ok(resource.with_activity(activity(fields.active, was)))
}

pub(super) async fn create_resource(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    fields: &ResourceFields,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    load_business(work, ctx.business).await?;
    let resource = resource_from(ctx, ResourceId::random(), None, fields)?;
    work.put_resource(&resource).await?;
    journal.record(Event::ResourceSaved {
        resource: resource.id(),
    });
    Ok(Outcome::Resource(resource.id()))
}

pub(super) async fn change_resource(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    id: ResourceId,
    fields: &ResourceFields,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let current = load_resource(work, id).await?;
    let resource = resource_from(ctx, id, Some(&current), fields)?;
    work.put_resource(&resource).await?;
    journal.record(Event::ResourceSaved { resource: id });
    Ok(Outcome::Resource(id))
}

/// The professional `fields` describe, over `current` when it is a change.
async fn professional_from(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    id: ProfessionalId,
    current: Option<&Professional>,
    fields: &ProfessionalFields,
) -> Result<Professional, Error> {
    let name = fields
        .name
        .as_deref()
        .or(current.map(Professional::name))
        .ok_or_else(|| required("name"))?;
    let mut professional = Professional::new(id, ctx.business, name)?;
    let services: Vec<ServiceId> = match &fields.services {
        Some(list) => {
            for service in list {
                load_service(work, *service).await?;
            }
            list.clone()
        }
        None => current.map_or_else(Vec::new, |c| c.services().iter().copied().collect()),
    };
    professional = professional.with_services(services);
    let capacity = fields
        .capacity
        .or(current.map(Professional::capacity))
        .unwrap_or(1);
    professional = professional
        .with_capacity(capacity)
        .map_err(|e| e.at("capacity"))?;
    professional = match (&fields.hours, current) {
        (Some(hours), _) => {
            professional.with_hours(hours.to_hours().map_err(|e| e.under("hours"))?)
        }
        (None, Some(current)) => professional.with_hours(current.hours().clone()),
        (None, None) => professional,
    };
    let was = current.map_or(Activity::Active, Professional::activity);
    Ok(professional.with_activity(activity(fields.active, was)))
}

pub(super) async fn create_professional(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    fields: &ProfessionalFields,
    login: Option<(&LoginFields, &PasswordHash)>,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    load_business(work, ctx.business).await?;
    let professional = professional_from(work, ctx, ProfessionalId::random(), None, fields).await?;
    work.put_professional(&professional).await?;
    if let Some((login, password)) = login {
        let account = Account::new(
            AccountId::random(),
            ctx.business,
            login.email.clone(),
            professional.name(),
            login.role,
            Some(professional.id()),
            password.clone(),
        )?;
        work.put_account(&account).await?;
    }
    journal.record(Event::ProfessionalCreated {
        professional: professional.id(),
    });
    Ok(Outcome::Professional(professional.id()))
}

pub(super) async fn change_professional(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    id: ProfessionalId,
    fields: &ProfessionalFields,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let current = hold_professional(work, id).await?;
    let professional = professional_from(work, ctx, id, Some(&current), fields).await?;
    work.put_professional(&professional).await?;
    journal.record(Event::ProfessionalChanged { professional: id });
    Ok(Outcome::Professional(id))
}

pub(super) async fn save_professional(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    professional: &Professional,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    load_business(work, ctx.business).await?;
    same_business(
        ctx,
        professional.business(),
        RecordKind::Professional,
        professional.id(),
    )?;
    for service in professional.services() {
        load_service(work, *service).await?;
    }
    let existed = work.professional(professional.id()).await?.is_some();
    work.put_professional(professional).await?;
    let id = professional.id();
    journal.record(if existed {
        Event::ProfessionalChanged { professional: id }
    } else {
        Event::ProfessionalCreated { professional: id }
    });
    Ok(Outcome::Professional(id))
}

pub(super) async fn save_resource(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    resource: &Resource,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    load_business(work, ctx.business).await?;
    same_business(
        ctx,
        resource.business(),
        RecordKind::Resource,
        resource.id(),
    )?;
    work.put_resource(resource).await?;
    journal.record(Event::ResourceSaved {
        resource: resource.id(),
    });
    Ok(Outcome::Resource(resource.id()))
}

/// The value a change gives: the one sent (`Some(None)` clears it), else
/// the current one.
fn pick<T: Clone>(sent: &Option<Option<T>>, current: Option<T>) -> Option<T> {
    match sent {
        Some(value) => value.clone(),
        None => current,
    }
}

/// The client `fields` describe, over `current` when it is a change.
fn client_from(
    ctx: &Context,
    id: ClientId,
    current: Option<&Client>,
    fields: &ClientFields,
) -> Result<Client, Error> {
    let name = fields
        .name
        .as_deref()
        .or(current.map(Client::name))
        .ok_or_else(|| required("name"))?;
    let mut client = Client::new(id, ctx.business, name)?
        .with_email(pick(
            &fields.email,
            current.and_then(|c| c.email().cloned()),
        ))
        .with_phone(pick(
            &fields.phone,
            current.and_then(|c| c.phone().cloned()),
        ))
        .with_tax_id(pick(
            &fields.tax_id,
            current.and_then(|c| c.tax_id().cloned()),
        ))
        .with_notes(
            fields
                .notes
                .as_deref()
                .or(current.map(Client::notes))
                .unwrap_or(""),
        )?;
    let attributes = match (&fields.attributes, current) {
        (Some(given), _) => given.clone(),
        (None, Some(current)) => current.attributes().clone(),
        (None, None) => Default::default(),
    };
    for (name, value) in &attributes {
        client = client
            .with_attribute(name, value)
            .map_err(|e| e.at(format!("attributes.{name}")))?;
    }
    let was = current.map_or(Activity::Active, Client::activity);
    Ok(client.with_activity(activity(fields.active, was)))
}

pub(super) async fn create_client(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    fields: &ClientFields,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    load_business(work, ctx.business).await?;
    let client = client_from(ctx, ClientId::random(), None, fields)?;
    work.put_client(&client).await?;
    journal.record(Event::ClientCreated {
        client: client.id(),
    });
    Ok(Outcome::Client(client.id()))
}

pub(super) async fn change_client(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    id: ClientId,
    fields: &ClientFields,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    let current = hold_client(work, id).await?;
    let client = client_from(ctx, id, Some(&current), fields)?;
    work.put_client(&client).await?;
    journal.record(Event::ClientChanged { client: id });
    Ok(Outcome::Client(id))
}

pub(super) async fn save_client(
    work: &mut dyn UnitOfWork,
    ctx: &Context,
    client: &Client,
    journal: &mut Journal,
) -> Result<Outcome, Error> {
    load_business(work, ctx.business).await?;
    same_business(ctx, client.business(), RecordKind::Client, client.id())?;
    let existed = work.client(client.id()).await?.is_some();
    work.put_client(client).await?;
    journal.record(if existed {
        Event::ClientChanged {
            client: client.id(),
        }
    } else {
        Event::ClientCreated {
            client: client.id(),
        }
    });
    Ok(Outcome::Client(client.id()))
}
