//! The words of the pages, in English and Brazilian Portuguese, side by
//! side so that neither is forgotten. Texts with values in them are
//! functions at the end.

use agendo_core::booking::BookingStatus;
use agendo_core::Lang;

macro_rules! texts {
    ($($name:ident: $en:expr, $pt:expr;)*) => {
        /// Every fixed text of the pages in one language.
        pub struct Text {
            $(#[allow(missing_docs)] pub $name: &'static str,)*
        }
        /// English.
        pub const EN: Text = Text { $($name: $en,)* };
        /// Brazilian Portuguese.
        pub const PT: Text = Text { $($name: $pt,)* };
    };
}

texts! {
    skip: "Skip to content", "Pular para o conteúdo";
    powered: "Bookings by Agendo", "Agendamentos por Agendo";
    // Public booking page.
    services: "Services", "Serviços";
    choose_service: "Choose a service", "Escolha um serviço";
    no_services: "This business is not taking bookings online yet.", "Este negócio ainda não recebe agendamentos on-line.";
    professional: "Professional", "Profissional";
    anyone: "Any professional", "Qualquer profissional";
    day: "Day", "Dia";
    free_times: "Free times", "Horários livres";
    no_times: "No free times on this day.", "Nenhum horário livre neste dia.";
    no_times_soon: "No free times in the next two weeks.", "Nenhum horário livre nas próximas duas semanas.";
    your_details: "Your details", "Seus dados";
    name: "Name", "Nome";
    email: "E-mail", "E-mail";
    phone: "Phone (WhatsApp)", "Telefone (WhatsApp)";
    optional: "optional", "opcional";
    contact_hint: "An e-mail or a phone, or both: your link to change the booking goes there.", "Um e-mail ou um telefone, ou os dois: o link para alterar o agendamento vai para lá.";
    confirm_booking: "Confirm booking", "Confirmar agendamento";
    change: "Change", "Alterar";
    time_taken: "That time was just taken by someone else. Please choose another.", "Esse horário acabou de ser reservado por outra pessoa. Escolha outro, por favor.";
    booked_title: "You are booked", "Agendamento feito";
    booked_note: "Keep this page's address: it is your link to reschedule or cancel. We also sent it to you.", "Guarde o endereço desta página: é o seu link para remarcar ou cancelar. Também o enviamos para você.";
    manage_link: "Your link", "Seu link";
    your_booking: "Your booking", "Seu agendamento";
    service: "Service", "Serviço";
    when: "When", "Quando";
    price: "Price", "Preço";
    duration: "Duration", "Duração";
    status: "Status", "Situação";
    deposit_due: "A deposit is needed to confirm this booking", "É preciso um sinal para confirmar este agendamento";
    deposit_how: "The business will tell you how to pay it (PIX).", "O negócio vai informar como pagar (PIX).";
    reschedule: "Reschedule", "Remarcar";
    cancel_booking: "Cancel booking", "Cancelar agendamento";
    cancel_reason: "Reason (optional)", "Motivo (opcional)";
    cancel_check: "Check the cost", "Ver o custo";
    cancel_confirm: "Yes, cancel", "Sim, cancelar";
    keep_booking: "Keep my booking", "Manter meu agendamento";
    cancel_free: "Cancelling now costs nothing.", "Cancelar agora não tem custo.";
    cancelled_title: "Booking cancelled", "Agendamento cancelado";
    moved_title: "Booking moved", "Agendamento remarcado";
    choose_new_time: "Choose the new time", "Escolha o novo horário";
    back: "Back", "Voltar";
    // Errors.
    not_found_title: "Page not found", "Página não encontrada";
    not_found: "There is nothing at this address. Check the link you followed.", "Não há nada neste endereço. Confira o link que você seguiu.";
    too_many_title: "Too many requests", "Muitas solicitações";
    too_many: "Please wait a moment and try again.", "Aguarde um momento e tente de novo.";
    expired_title: "This form has expired", "Este formulário expirou";
    expired: "Go back, reload the page and send it again.", "Volte, recarregue a página e envie de novo.";
    broken_title: "Something went wrong", "Algo deu errado";
    broken: "We could not do this now. Nothing was lost; please try again.", "Não foi possível fazer isso agora. Nada foi perdido; tente de novo.";
    fix_fields: "Please fix the fields marked below.", "Corrija os campos indicados abaixo.";
    // Staff area.
    staff_area: "Staff area", "Área da equipe";
    sign_in: "Sign in", "Entrar";
    sign_out: "Sign out", "Sair";
    password: "Password", "Senha";
    business_address: "Business address (if you work at more than one)", "Endereço do negócio (se você trabalha em mais de um)";
    no_account: "New here?", "Primeira vez?";
    register: "Open a business", "Abrir um negócio";
    forgot: "Forgot your password?", "Esqueceu a senha?";
    business_name: "Business name", "Nome do negócio";
    your_name: "Your name", "Seu nome";
    timezone: "Time zone", "Fuso horário";
    currency: "Currency", "Moeda";
    language_of_business: "Language", "Idioma";
    public_address: "Public address", "Endereço público";
    new_password_hint: "At least 10 characters", "Pelo menos 10 caracteres";
    agenda: "Agenda", "Agenda";
    clients: "Clients", "Clientes";
    setup: "Set-up", "Configuração";
    today: "Today", "Hoje";
    previous: "Previous", "Anterior";
    next: "Next", "Próximo";
    day_view: "Day", "Dia";
    week_view: "Week", "Semana";
    everyone: "Everyone", "Todos";
    show: "Show", "Mostrar";
    blocked: "Blocked", "Bloqueado";
    new_booking: "New booking", "Novo agendamento";
    book_here: "Book at", "Agendar às";
    block_time: "Block time", "Bloquear horário";
    drag_hint: "Drag a booking to move it, or open it to reschedule with the keyboard.", "Arraste um agendamento para movê-lo, ou abra-o para remarcar pelo teclado.";
    no_bookings: "No bookings.", "Nenhum agendamento.";
    booking: "Booking", "Agendamento";
    client: "Client", "Cliente";
    new_client: "Or a new client", "Ou um novo cliente";
    start: "Start", "Início";
    date: "Date", "Data";
    time: "Time", "Horário";
    reason: "Reason", "Motivo";
    save: "Save", "Salvar";
    add: "Add", "Adicionar";
    book: "Book", "Agendar";
    confirm: "Confirm", "Confirmar";
    mark_complete: "Mark as done", "Marcar como concluído";
    mark_no_show: "Mark as no-show", "Marcar falta";
    history: "History", "Histórico";
    settlement: "Settlement", "Acerto";
    fee_kept: "Fee kept", "Taxa retida";
    refund: "Refund", "Reembolso";
    owed: "Still owed", "Ainda devido";
    move_to: "Move", "Mover";
    search: "Search", "Buscar";
    search_clients: "Name, e-mail or phone", "Nome, e-mail ou telefone";
    no_clients: "No clients found.", "Nenhum cliente encontrado.";
    notes: "Notes", "Observações";
    // Set-up.
    setup_intro: "Set the business up in this order; each step can be changed later.", "Configure o negócio nesta ordem; cada passo pode ser mudado depois.";
    settings: "Business settings", "Dados do negócio";
    policy: "Cancellation policy", "Política de cancelamento";
    late_hours: "Late if cancelled less than (hours) before", "Tardio se cancelado com menos de (horas) de antecedência";
    late_fee: "Late cancellation fee (%)", "Taxa de cancelamento tardio (%)";
    no_show_fee: "No-show fee (%)", "Taxa de falta (%)";
    deposit_percent: "Deposit to confirm (%)", "Sinal para confirmar (%)";
    confirmation: "New bookings", "Novos agendamentos";
    confirm_auto: "Confirmed at once", "Confirmados na hora";
    confirm_manual: "Wait for staff to confirm", "Aguardam confirmação da equipe";
    colour: "Colour of the public page", "Cor da página pública";
    description: "Description", "Descrição";
    address: "Address", "Endereço";
    minutes: "Minutes", "Minutos";
    staff: "Professionals", "Profissionais";
    performs: "Services they perform", "Serviços que realiza";
    hours: "Working hours", "Horário de trabalho";
    hours_hint: "Leave a day empty when closed. Times as 09:00.", "Deixe o dia vazio se fechado. Horários como 09:00.";
    from_time: "From", "Das";
    to_time: "To", "Até";
    resources: "Rooms and equipment", "Salas e equipamentos";
    kind: "Kind", "Tipo";
    capacity: "Capacity", "Capacidade";
    notifications: "Notifications", "Notificações";
    remind_day_before: "Reminder the day before, at (empty for none)", "Lembrete na véspera, às (vazio para nenhum)";
    remind_minutes_before: "Second reminder, minutes before the start (empty for none)", "Segundo lembrete, minutos antes do início (vazio para nenhum)";
    saved: "Saved.", "Salvo.";
    public_page: "Public booking page", "Página pública de agendamento";
    accounts: "Team sign-ins", "Acessos da equipe";
    role: "Role", "Função";
    role_receptionist: "Reception", "Recepção";
    role_professional: "Professional", "Profissional";
    role_owner: "Owner", "Proprietário";
    own_agenda: "Their agenda (professionals)", "Agenda própria (profissionais)";
    none: "None", "Nenhuma";
    // Account links.
    reset_title: "Choose a new password", "Escolha uma nova senha";
    reset_done: "Your password was changed. Sign in with it.", "Sua senha foi alterada. Entre com ela.";
    forgot_title: "Reset your password", "Redefinir a senha";
    forgot_sent: "If an account has this e-mail, a link is on its way.", "Se houver uma conta com este e-mail, um link está a caminho.";
    send_link: "Send the link", "Enviar o link";
    verify_title: "Confirm your e-mail", "Confirme seu e-mail";
    verify_done: "Your e-mail is confirmed.", "Seu e-mail está confirmado.";
    link_missing: "This link is incomplete. Open it again from the e-mail.", "Este link está incompleto. Abra-o de novo a partir do e-mail.";
}

impl Text {
    /// The texts of `lang`.
    pub fn of(lang: Lang) -> &'static Text {
        lang.pick(&EN, &PT)
    }
}

/// A booking's status as people read it.
pub fn status(status: BookingStatus, lang: Lang) -> &'static str {
    let (en, pt) = match status {
        BookingStatus::Pending => ("Waiting for confirmation", "Aguardando confirmação"),
        BookingStatus::Confirmed => ("Confirmed", "Confirmado"),
        BookingStatus::Completed => ("Done", "Concluído"),
        BookingStatus::Cancelled => ("Cancelled", "Cancelado"),
        BookingStatus::NoShow => ("No-show", "Falta"),
    };
    lang.pick(en, pt)
}

/// A role as people read it.
pub fn role(role: agendo_core::account::Role, lang: Lang) -> &'static str {
    use agendo_core::account::Role;
    let (en, pt) = match role {
        Role::Owner => ("owner", "proprietário"),
        Role::Receptionist => ("reception", "recepção"),
        Role::Professional => ("professional", "profissional"),
    };
    lang.pick(en, pt)
}

/// `30 min`, `1 h 30 min`.
pub fn minutes(total: u32) -> String {
    match (total / 60, total % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// An amount kept on one line (`R$\u{a0}40,00`).
fn whole(amount: &str) -> String {
    amount.replace(' ', "\u{a0}")
}

/// What a late cancellation costs, before the client confirms.
pub fn cancel_fee(fee: &str, lang: Lang) -> String {
    let fee = whole(fee);
    match lang {
        Lang::En => {
            format!("Cancelling now is late under the business's policy: a fee of {fee} applies.")
        }
        Lang::PtBr => format!(
            "Cancelar agora é tardio pela política do negócio: será cobrada uma taxa de {fee}."
        ),
    }
}

/// The refund part of a cancellation.
pub fn refund_of(refund: &str, lang: Lang) -> String {
    let refund = whole(refund);
    lang.pick(
        format!("{refund} of what you paid will be refunded."),
        format!("{refund} do que você pagou será devolvido."),
    )
}

/// The deposit a booking needs.
pub fn deposit(amount: &str, lang: Lang) -> String {
    let amount = whole(amount);
    lang.pick(format!("Deposit: {amount}"), format!("Sinal: {amount}"))
}

/// The fee kept by a cancellation that happened.
pub fn fee_kept(fee: &str, lang: Lang) -> String {
    let fee = whole(fee);
    lang.pick(
        format!("Fee under the policy: {fee}."),
        format!("Taxa pela política: {fee}."),
    )
}
