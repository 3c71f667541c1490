//! Where a load run's processor time went, read from `/proc` (Linux): the
//! server's process, the harness's own, every `postgres` process, and the
//! time no process used. The load harnesses print it beside each ratio, so
//! a phase that lost throughput says whether the machine was full and who
//! used it.
//!
//! Shares are of one processor: on a machine of two, the four add up to
//! about 200%.

/// Processor time used so far, in the kernel's clock ticks.
#[derive(Clone, Debug)]
pub struct Sample {
    /// Every processor's ticks, all states together.
    total: u64,
    idle: u64,
    /// The server's, when the harness started it.
    server: Option<u64>,
    harness: u64,
    database: u64,
}

/// What each used between two samples, as a share of one processor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shares {
    /// The server process (none when the harness did not start it).
    pub server: Option<f64>,
    /// The harness itself.
    pub harness: f64,
    /// Every `postgres` process together.
    pub database: f64,
    /// Time no process used.
    pub idle: f64,
}

/// The ticks used so far; `None` where `/proc` cannot be read.
pub fn sample(server: Option<u32>) -> Option<Sample> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let all: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|field| field.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal ...
    let idle = all.get(3)? + all.get(4).copied().unwrap_or(0);
    let mut database = 0;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm.trim_end() == "postgres" {
            database += ticks(pid).unwrap_or(0);
        }
    }
    Some(Sample {
        total: all.iter().sum(),
        idle,
        server: server.map(|pid| ticks(pid).unwrap_or(0)),
        harness: ticks(std::process::id()).unwrap_or(0),
        database,
    })
}

/// User and system ticks of process `pid`, its threads included.
fn ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name, in parentheses, may hold spaces: fields are
    // counted after its closing parenthesis (utime and stime are fields 14
    // and 15 of the line, 12 and 13 after it).
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some(user + system)
}

impl Sample {
    /// The shares used from `self` to `later`; `None` when no time passed.
    pub fn shares(&self, later: &Sample) -> Option<Shares> {
        let total = later.total.checked_sub(self.total).filter(|t| *t > 0)? as f64;
        let processors = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        // Ticks of all processors over the time: one processor's share is
        // its ticks over the total, times the processors.
        let share = |a: u64, b: u64| b.saturating_sub(a) as f64 / total * processors * 100.0;
        Some(Shares {
            server: self.server.zip(later.server).map(|(a, b)| share(a, b)),
            harness: share(self.harness, later.harness),
            database: share(self.database, later.database),
            idle: share(self.idle, later.idle),
        })
    }
}

impl Sample {
    /// What was used from `earlier` to `self`, to be added up (`+`) with
    /// what other slices of one phase used, and read with
    /// [`Sample::shares_used`].
    pub fn since(&self, earlier: &Sample) -> Sample {
        Sample {
            total: self.total.saturating_sub(earlier.total),
            idle: self.idle.saturating_sub(earlier.idle),
            server: self
                .server
                .zip(earlier.server)
                .map(|(a, b)| a.saturating_sub(b)),
            harness: self.harness.saturating_sub(earlier.harness),
            database: self.database.saturating_sub(earlier.database),
        }
    }

    /// The shares of what was used, when `self` is what was used (from
    /// [`Sample::since`]); `None` when no time passed.
    pub fn shares_used(&self) -> Option<Shares> {
        let nothing = Sample {
            total: 0,
            idle: 0,
            server: self.server.map(|_| 0),
            harness: 0,
            database: 0,
        };
        nothing.shares(self)
    }
}

impl std::ops::Add for Sample {
    type Output = Sample;

    /// What two stretches used together.
    fn add(self, other: Sample) -> Sample {
        Sample {
            total: self.total + other.total,
            idle: self.idle + other.idle,
            server: self.server.zip(other.server).map(|(a, b)| a + b),
            harness: self.harness + other.harness,
            database: self.database + other.database,
        }
    }
}

impl std::fmt::Display for Shares {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cpu (% of one processor): ")?;
        if let Some(server) = self.server {
            write!(f, "server {server:.0}%, ")?;
        }
        write!(
            f,
            "harness {:.0}%, postgres {:.0}%, idle {:.0}%",
            self.harness, self.database, self.idle
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn slices_used_add_up_to_the_whole() {
        let at = |total, idle, server, harness, database| Sample {
            total,
            idle,
            server: Some(server),
            harness,
            database,
        };
        let (a, b, c) = (
            at(100, 50, 10, 5, 0),
            at(300, 90, 70, 45, 8),
            at(700, 190, 150, 85, 8),
        );
        let whole = a.shares(&c).unwrap();
        let sliced = (b.since(&a) + c.since(&b)).shares_used().unwrap();
        assert_eq!(sliced, whole);
        // One slice alone reads as itself.
        assert_eq!(c.since(&b).shares_used(), b.shares(&c));
        assert_ne!(c.since(&b).shares_used(), a.shares(&b));
        assert_eq!(a.since(&a).shares_used(), None, "no time passed");
    }

    #[test]
    fn a_busy_harness_shows_its_own_time() {
        let before = sample(None).expect("/proc is readable on Linux");
        let start = Instant::now();
        let mut x: u64 = 1;
        while start.elapsed().as_millis() < 300 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x);
        let after = sample(None).expect("/proc is readable on Linux");
        let shares = before.shares(&after).expect("time passed");
        assert!(shares.harness > 30.0, "{shares}");
        assert!(shares.server.is_none());
        assert!(shares
            .to_string()
            .starts_with("cpu (% of one processor): harness"));
    }
}
