//! The statements both databases accept, for each [`Stored`] record.
//!
//! SQLite numbers its parameters `?1`, Postgres `$1`; otherwise the upsert
//! (`INSERT … ON CONFLICT … DO UPDATE`), the read by key and the listing
//! are the same text.

use crate::record::Stored;

/// How a database numbers statement parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Params {
    /// `$1, $2, …` (Postgres).
    Dollar,
    /// `?1, ?2, …` (SQLite).
    Question,
}

impl Params {
    /// The `n`th parameter, from 1.
    pub fn nth(self, n: usize) -> String {
        match self {
            Params::Dollar => format!("${n}"),
            Params::Question => format!("?{n}"),
        }
    }

    fn list(self, count: usize) -> String {
        (1..=count)
            .map(|n| self.nth(n))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `a = $1 AND b = $2` for `columns`, from parameter `first`.
    pub fn equal(self, columns: &[&str], first: usize) -> String {
        columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = {}", self.nth(first + i)))
            .collect::<Vec<_>>()
            .join(" AND ")
    }
}

/// Creates or replaces a record: its values bound in column order. The
/// update applies only to the row of the same business (the key starts with
/// `business_id`).
pub fn upsert<T: Stored>(params: Params) -> String {
    let rest: Vec<String> = T::COLUMNS
        .iter()
        .filter(|c| !T::KEY.contains(c))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT ({key}) DO UPDATE SET {rest}",
        table = T::TABLE,
        columns = T::COLUMNS.join(", "),
        values = params.list(T::COLUMNS.len()),
        key = T::KEY.join(", "),
        rest = rest.join(", "),
    )
}

/// Reads one record: the key's values bound in order.
pub fn select_one<T: Stored>(params: Params) -> String {
    format!(
        "SELECT {columns} FROM {table} WHERE {key}",
        columns = T::COLUMNS.join(", "),
        table = T::TABLE,
        key = params.equal(T::KEY, 1),
    )
}

/// Reads every record of the business bound as the first parameter that
/// passes `filter` (which may use later parameters; empty for all), in
/// `order`.
pub fn select_where<T: Stored>(params: Params, filter: &str, order: &str) -> String {
    let filter = if filter.is_empty() {
        String::new()
    } else {
        format!(" AND ({filter})")
    };
    format!(
        "SELECT {columns} FROM {table} WHERE business_id = {first}{filter} ORDER BY {order}",
        columns = T::COLUMNS.join(", "),
        table = T::TABLE,
        first = params.nth(1),
    )
}

/// Inserts a row of `columns` into `table`.
pub fn insert(params: Params, table: &str, columns: &[&str]) -> String {
    format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        params.list(columns.len())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use agendo_core::business::Service;

    #[test]
    fn the_upsert_keeps_the_key_and_updates_the_rest() {
        let sql = upsert::<Service>(Params::Dollar);
        assert!(sql.starts_with("INSERT INTO services (business_id, id, name,"));
        assert!(sql.contains("ON CONFLICT (business_id, id) DO UPDATE SET name = excluded.name"));
        assert!(!sql.contains("id = excluded.id"));
        assert!(sql.contains("$13)"));
    }

    #[test]
    fn reads_filter_by_the_business_first() {
        assert_eq!(
            select_where::<Service>(Params::Question, "activity = ?2", Service::ORDER)
                .split(" FROM ")
                .nth(1),
            Some("services WHERE business_id = ?1 AND (activity = ?2) ORDER BY name, id")
        );
        assert!(
            select_one::<Service>(Params::Question).ends_with("WHERE business_id = ?1 AND id = ?2")
        );
    }
}
