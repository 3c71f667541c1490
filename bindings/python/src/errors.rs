//! The exceptions: one class per family of cause, each carrying the
//! engine's stable `code`, the `field` a bad value was passed as, the ids
//! in the way (`conflicts`) and the message in English (`str(e)`) and
//! Brazilian Portuguese (`e.message_pt_br`).

use agendo_core::{Lang, Problem};
use agendo_embed::Kind;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

pyo3::create_exception!(
    agendo,
    Error,
    PyException,
    "Every error of the engine. Attributes: code, field, conflicts, professional, message_en, message_pt_br."
);
pyo3::create_exception!(
    agendo,
    ValidationError,
    Error,
    "A value passed is wrong; `field` names it."
);
pyo3::create_exception!(
    agendo,
    NotFound,
    Error,
    "A record named does not exist in that business."
);
pyo3::create_exception!(
    agendo,
    Unavailable,
    Error,
    "The time asked for cannot be booked."
);
pyo3::create_exception!(
    agendo,
    SlotTaken,
    Unavailable,
    "The time is taken; `conflicts` holds the ids of the bookings in the way."
);
pyo3::create_exception!(
    agendo,
    Blocked,
    Unavailable,
    "The time meets a block; `conflicts` holds its id."
);
pyo3::create_exception!(
    agendo,
    OutsideWorkingHours,
    Unavailable,
    "The time is outside the professional's working hours."
);
pyo3::create_exception!(
    agendo,
    NotAllowed,
    Error,
    "A rule refuses the action: a booking's state, a retired record, an unpaid deposit."
);
pyo3::create_exception!(
    agendo,
    Forbidden,
    NotAllowed,
    "The role acting (`Engine.acting`) may not do this: the engine's permission table says no."
);
pyo3::create_exception!(
    agendo,
    Busy,
    Error,
    "Concurrent writers kept getting in the way; trying again may work."
);
pyo3::create_exception!(
    agendo,
    StorageError,
    Error,
    "The store (the SQLite file, the Postgres server) failed or cannot be reached."
);

/// Registers the classes on the module.
pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    module.add("Error", py.get_type::<Error>())?;
    module.add("ValidationError", py.get_type::<ValidationError>())?;
    module.add("NotFound", py.get_type::<NotFound>())?;
    module.add("Unavailable", py.get_type::<Unavailable>())?;
    module.add("SlotTaken", py.get_type::<SlotTaken>())?;
    module.add("Blocked", py.get_type::<Blocked>())?;
    module.add("OutsideWorkingHours", py.get_type::<OutsideWorkingHours>())?;
    module.add("NotAllowed", py.get_type::<NotAllowed>())?;
    module.add("Forbidden", py.get_type::<Forbidden>())?;
    module.add("Busy", py.get_type::<Busy>())?;
    module.add("StorageError", py.get_type::<StorageError>())?;
    Ok(())
}

/// The engine's error as the exception of its family.
pub fn raise(error: agendo_embed::Error) -> PyErr {
    let en = error.message(Lang::En);
    let pt = error.message(Lang::PtBr);
    let details = Details {
        code: error.code(),
        field: error.field().map(str::to_owned),
        conflicts: error.conflicts(),
        professional: error.professional().map(str::to_owned),
    };
    let err = match error.kind() {
        Kind::Validation => PyErr::new::<ValidationError, _>(en.clone()),
        Kind::NotFound => PyErr::new::<NotFound, _>(en.clone()),
        Kind::SlotTaken => PyErr::new::<SlotTaken, _>(en.clone()),
        Kind::Blocked => PyErr::new::<Blocked, _>(en.clone()),
        Kind::OutsideWorkingHours => PyErr::new::<OutsideWorkingHours, _>(en.clone()),
        Kind::NotAllowed => PyErr::new::<NotAllowed, _>(en.clone()),
        Kind::Forbidden => PyErr::new::<Forbidden, _>(en.clone()),
        Kind::Busy => PyErr::new::<Busy, _>(en.clone()),
        Kind::Storage => PyErr::new::<StorageError, _>(en.clone()),
    };
    decorate(err, details, en, pt)
}

/// A bad argument caught at the boundary, before the engine saw it, as
/// the engine's own invalid-value error: a `ValidationError` naming it,
/// with the engine's messages.
pub fn invalid(field: &str, problem: Problem) -> PyErr {
    raise(agendo_embed::Error::Engine(agendo_core::Error::invalid(
        field, problem,
    )))
}

struct Details {
    code: &'static str,
    field: Option<String>,
    conflicts: Vec<String>,
    professional: Option<String>,
}

/// Sets the attributes on the exception's instance.
fn decorate(err: PyErr, details: Details, en: String, pt: String) -> PyErr {
    Python::attach(|py| {
        let value = err.value(py);
        let set = || -> PyResult<()> {
            value.setattr("code", details.code)?;
            value.setattr("field", details.field)?;
            value.setattr("conflicts", PyTuple::new(py, details.conflicts)?)?;
            value.setattr("professional", details.professional)?;
            value.setattr("message_en", en)?;
            value.setattr("message_pt_br", pt)?;
            Ok(())
        };
        match set() {
            Ok(()) => err,
            Err(failure) => failure,
        }
    })
}
