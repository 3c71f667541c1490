//! Statements written with their values, and the statements both databases
//! accept for each [`Stored`] record.
//!
//! A [`Query`] binds each value where its placeholder is written, in the
//! way of sqlx's `QueryBuilder::push_bind`, so no placeholder is numbered
//! by hand: SQLite's are written `?1`, Postgres's `$1`, and the text is
//! otherwise the same. A record is written from one list of (column,
//! value) pairs ([`Fields`]), so a column and its value cannot drift apart.

use crate::record::{Stored, Value};

/// How a database numbers statement parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Params {
    /// `$1, $2, …` (Postgres).
    Dollar,
    /// `?1, ?2, …` (SQLite).
    Question,
}

impl Params {
    fn mark(self) -> char {
        match self {
            Params::Dollar => '$',
            Params::Question => '?',
        }
    }
}

/// A record as written: each column with its value, the key's columns
/// first.
pub type Fields = Vec<(&'static str, Value)>;

/// A statement and its values, each value bound where its placeholder is
/// written.
///
/// ```
/// use agendo_sql::sql::{Params, Query};
/// use agendo_sql::Value;
///
/// let query = Query::new(Params::Dollar, "SELECT name FROM services WHERE business_id = ")
///     .bind(Value::Int(7))
///     .push(" AND activity = ")
///     .bind("active");
/// assert_eq!(query.sql(), "SELECT name FROM services WHERE business_id = $1 AND activity = $2");
/// assert_eq!(query.values().len(), 2);
/// ```
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub struct Query {
    params: Params,
    sql: String,
    values: Vec<Value>,
}

impl Query {
    /// A statement that begins with `sql`.
    pub fn new(params: Params, sql: &str) -> Query {
        Query {
            params,
            sql: sql.to_owned(),
            values: Vec::new(),
        }
    }

    /// Adds `sql` to the text.
    pub fn push(mut self, sql: &str) -> Query {
        self.sql.push_str(sql);
        self
    }

    /// Binds `value` here: writes its placeholder and keeps it.
    pub fn bind(mut self, value: impl Into<Value>) -> Query {
        use std::fmt::Write as _;
        self.values.push(value.into());
        let _ = write!(self.sql, "{}{}", self.params.mark(), self.values.len());
        self
    }

    /// Binds each of `values` here, separated by commas.
    pub fn bind_list<V: Into<Value>>(mut self, values: impl IntoIterator<Item = V>) -> Query {
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self = self.push(", ");
            }
            self = self.bind(value);
        }
        self
    }

    /// `a = $1 AND b = $2`: each column equal to its value bound here.
    pub fn equal(mut self, pairs: impl IntoIterator<Item = (&'static str, Value)>) -> Query {
        for (i, (column, value)) in pairs.into_iter().enumerate() {
            if i > 0 {
                self = self.push(" AND ");
            }
            self = self.push(column).push(" = ").bind(value);
        }
        self
    }

    /// `(a, b) VALUES ($1, $2)` for a record's fields.
    pub fn columns_and_values(self, fields: Fields) -> Query {
        let names = names(&fields);
        self.push("(")
            .push(&names)
            .push(") VALUES (")
            .bind_list(fields.into_iter().map(|(_, value)| value))
            .push(")")
    }

    /// `a = $1, b = $2`: each column set to its value bound here.
    pub fn assignments(mut self, fields: Fields) -> Query {
        for (i, (column, value)) in fields.into_iter().enumerate() {
            if i > 0 {
                self = self.push(", ");
            }
            self = self.push(column).push(" = ").bind(value);
        }
        self
    }

    /// The statement's text.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The values bound, in the order of their placeholders.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The text and the values, to run.
    pub fn into_parts(self) -> (String, Vec<Value>) {
        (self.sql, self.values)
    }

    /// The text with each placeholder replaced by `literal` of its value:
    /// what a tool that cannot bind (a benchmark's script) runs.
    pub fn inline(&self, literal: impl Fn(&Value) -> String) -> String {
        let mut sql = self.sql.clone();
        // Highest first, so `$1` does not match the start of `$10`.
        for (n, value) in self.values.iter().enumerate().rev() {
            let mark = format!("{}{}", self.params.mark(), n + 1);
            sql = sql.replace(&mark, &literal(value));
        }
        sql
    }
}

/// The column names of `fields`, separated by commas.
pub fn names(fields: &[(&'static str, Value)]) -> String {
    fields
        .iter()
        .map(|(column, _)| *column)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inserts a row of `fields` into `table`.
pub fn insert(params: Params, table: &str, fields: Fields) -> Query {
    Query::new(params, &format!("INSERT INTO {table} ")).columns_and_values(fields)
}

/// Creates or replaces a record, keyed by `key` (its first columns).
pub fn upsert(params: Params, table: &str, key: &[&str], fields: Fields) -> Query {
    let rest: Vec<String> = fields
        .iter()
        .map(|(column, _)| *column)
        .filter(|c| !key.contains(c))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    insert(params, table, fields).push(&format!(
        " ON CONFLICT ({}) DO UPDATE SET {}",
        key.join(", "),
        rest.join(", ")
    ))
}

/// Creates or replaces a record. The update applies only to the row of the
/// same business (the key starts with `business_id`).
pub fn upsert_record<T: Stored>(params: Params, record: &T) -> Query {
    let fields = record.fields();
    debug_assert!(
        fields
            .iter()
            .map(|(c, _)| *c)
            .eq(T::COLUMNS.iter().copied()),
        "{}: the fields written are the columns read",
        T::TABLE
    );
    upsert(params, T::TABLE, T::KEY, fields)
}

/// Reads one record by its key's values (the business, then its id when
/// the key has one).
pub fn select_one<T: Stored>(params: Params, key: Vec<Value>) -> Query {
    let pairs = T::KEY.iter().copied().zip(key);
    Query::new(
        params,
        &format!("SELECT {} FROM {} WHERE ", T::COLUMNS.join(", "), T::TABLE),
    )
    .equal(pairs)
}

/// Reads the records of `business`: a condition may follow (` AND …`),
/// then the order ([`Query::order_by`]).
pub fn select_of<T: Stored>(params: Params, business: Value) -> Query {
    Query::new(
        params,
        &format!(
            "SELECT {} FROM {} WHERE business_id = ",
            T::COLUMNS.join(", "),
            T::TABLE
        ),
    )
    .bind(business)
}

impl Query {
    /// Ends a listing with ` ORDER BY order`.
    pub fn order_by(self, order: &str) -> Query {
        self.push(" ORDER BY ").push(order)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use agendo_core::business::Service;

    #[test]
    fn each_value_is_bound_where_it_is_written() {
        let query = Query::new(Params::Question, "UPDATE t SET ")
            .assignments(vec![("a", Value::Int(1)), ("b", Value::Int(2))])
            .push(" WHERE ")
            .equal([("c", Value::Int(3))])
            .push(" AND d IN (")
            .bind_list([Value::Int(4), Value::Int(5)])
            .push(")");
        assert_eq!(
            query.sql(),
            "UPDATE t SET a = ?1, b = ?2 WHERE c = ?3 AND d IN (?4, ?5)"
        );
        let values: Vec<Value> = (1..=5).map(Value::Int).collect();
        assert_eq!(query.values(), values.as_slice());
    }

    #[test]
    fn the_upsert_keeps_the_key_and_updates_the_rest() {
        let fields = vec![
            ("business_id", Value::Int(1)),
            ("id", Value::Int(2)),
            ("name", Value::from("Corte")),
        ];
        let query = upsert(Params::Dollar, "services", &["business_id", "id"], fields);
        assert_eq!(
            query.sql(),
            "INSERT INTO services (business_id, id, name) VALUES ($1, $2, $3) \
             ON CONFLICT (business_id, id) DO UPDATE SET name = excluded.name"
        );
    }

    #[test]
    fn reads_filter_by_the_business_first() {
        let query = select_of::<Service>(Params::Question, Value::Int(1))
            .push(" AND activity = ")
            .bind("active")
            .order_by(Service::ORDER);
        assert_eq!(
            query.sql().split(" FROM ").nth(1),
            Some("services WHERE business_id = ?1 AND activity = ?2 ORDER BY name, id")
        );
        let one = select_one::<Service>(Params::Question, vec![Value::Int(1), Value::Int(2)]);
        assert!(one.sql().ends_with("WHERE business_id = ?1 AND id = ?2"));
    }

    #[test]
    fn inlined_values_replace_their_placeholders_only() {
        let query = (1..=11).fold(Query::new(Params::Dollar, "SELECT "), |q, n| {
            q.bind(Value::Int(n)).push(" ")
        });
        assert_eq!(
            query.inline(|v| format!("{v:?}")),
            "SELECT Int(1) Int(2) Int(3) Int(4) Int(5) Int(6) Int(7) Int(8) Int(9) Int(10) Int(11) "
        );
    }
}
