//! Sharding a catalogue across machines: `--shard K/N` keeps the essays
//! whose relative path hashes to part K of N (1-based), so N machines that
//! each run one K cover every essay exactly once. The hash is FNV-1a of the
//! path with `/` separators: the same on every machine and platform.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crate::xml::stable_hash;

/// One part of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which part, 1 ≤ index ≤ count.
    pub index: u64,
    /// How many parts.
    pub count: u64,
}

impl Shard {
    /// Whether the essay at `relative` (to the batch folder) belongs to this part.
    pub fn contains(&self, relative: &Path) -> bool {
        let key: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        stable_hash(key.join("/").as_bytes()) % self.count == self.index - 1
    }

    /// The shard named by the environment of a Kubernetes Indexed Job
    /// (`JOB_COMPLETION_INDEX`, 0-based, with the count in `WENJI_SHARD_COUNT`)
    /// or a Slurm job array (`SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_MIN`,
    /// `SLURM_ARRAY_TASK_COUNT`).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let number = |name: &str| -> Result<Option<u64>, String> {
            match var(name) {
                None => Ok(None),
                Some(v) => v
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("{name}='{v}' is not a number")),
            }
        };
        if let Some(index) = number("JOB_COMPLETION_INDEX")? {
            let count = number("WENJI_SHARD_COUNT")?.ok_or(
                "JOB_COMPLETION_INDEX is set but WENJI_SHARD_COUNT is not; set it to the Job's completions",
            )?;
            return Shard::new(index + 1, count);
        }
        if let Some(task) = number("SLURM_ARRAY_TASK_ID")? {
            let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let step = number("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
            let count =
                number("SLURM_ARRAY_TASK_COUNT")?.ok_or("SLURM_ARRAY_TASK_COUNT is not set")?;
            let offset = task
                .checked_sub(min)
                .ok_or("SLURM_ARRAY_TASK_ID is below SLURM_ARRAY_TASK_MIN")?;
            return Shard::new(offset / step + 1, count);
        }
        Err(
            "--shard auto needs JOB_COMPLETION_INDEX and WENJI_SHARD_COUNT (Kubernetes) \
             or SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (Slurm)"
                .to_string(),
        )
    }

    fn new(index: u64, count: u64) -> Result<Shard, String> {
        if count == 0 || index == 0 || index > count {
            return Err(format!(
                "shard {index}/{count} does not exist; use K/N with 1 ≤ K ≤ N"
            ));
        }
        Ok(Shard { index, count })
    }
}

impl FromStr for Shard {
    type Err = String;

    /// Parses `K/N`.
    fn from_str(s: &str) -> Result<Shard, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("'{s}' is not K/N (e.g. 2/8) or auto"))?;
        let parse = |x: &str| {
            x.trim()
                .parse::<u64>()
                .map_err(|_| format!("'{s}' is not K/N (e.g. 2/8) or auto"))
        };
        Shard::new(parse(k)?, parse(n)?)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn parses_k_of_n() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        for bad in ["0/8", "9/8", "1/0", "x/2", "3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn shards_partition_the_catalogue() {
        let paths: Vec<String> = (0..1000).map(|i| format!("dir{}/{i}.txt", i % 7)).collect();
        let shards: Vec<Shard> = (1..=4).map(|k| Shard { index: k, count: 4 }).collect();
        for path in &paths {
            let owners = shards
                .iter()
                .filter(|s| s.contains(Path::new(path)))
                .count();
            assert_eq!(owners, 1, "{path}");
        }
        let sizes: Vec<usize> = shards
            .iter()
            .map(|s| paths.iter().filter(|p| s.contains(Path::new(p))).count())
            .collect();
        assert!(sizes.iter().all(|&n| n > 150), "{sizes:?}");
    }

    #[test]
    fn environment_of_kubernetes_and_slurm() {
        let env = |pairs: &[(&str, &str)]| {
            let map: HashMap<String, String> = pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            Shard::from_env(move |name| map.get(name).cloned())
        };
        assert_eq!(
            env(&[("JOB_COMPLETION_INDEX", "0"), ("WENJI_SHARD_COUNT", "3")]),
            Ok(Shard { index: 1, count: 3 })
        );
        assert!(env(&[("JOB_COMPLETION_INDEX", "0")]).is_err());
        assert_eq!(
            env(&[
                ("SLURM_ARRAY_TASK_ID", "5"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "8")
            ]),
            Ok(Shard { index: 5, count: 8 })
        );
        assert_eq!(
            env(&[
                ("SLURM_ARRAY_TASK_ID", "7"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_STEP", "2"),
                ("SLURM_ARRAY_TASK_COUNT", "4")
            ]),
            Ok(Shard { index: 4, count: 4 })
        );
        assert!(env(&[]).is_err());
    }
}
