//! `cargo xtask bench-startup`: cold start of the `kamaki` binary.
//!
//! Builds the release binary, then runs `kamaki --version` (and, for
//! context, `kamaki --help`, which builds the whole command tree) many
//! times next to `true` and `/bin/echo` as baselines of what spawning any
//! process costs on this machine. Runs are interleaved so that machine
//! noise hits every command alike. Prints median, p90, min and mean wall
//! times per command; the target is a median of at most 5 ms for
//! `kamaki --version` (`--check` makes a miss an error).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// The budget for the median of `kamaki --version`.
const TARGET: Duration = Duration::from_millis(5);

struct Options {
    runs: usize,
    build: bool,
    check: bool,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut o = Options {
        runs: 200,
        build: true,
        check: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => {
                o.runs = it
                    .next()
                    .context("--runs needs a number")?
                    .parse()
                    .context("--runs needs a number")?;
            }
            "--no-build" => o.build = false,
            "--check" => o.check = true,
            other => bail!("unknown argument {other:?} (use --runs N, --no-build, --check)"),
        }
    }
    if o.runs < 5 {
        bail!("--runs must be at least 5");
    }
    Ok(o)
}

/// One measured command.
struct Subject {
    label: String,
    program: PathBuf,
    args: Vec<String>,
    times: Vec<Duration>,
}

impl Subject {
    fn new(label: &str, program: impl Into<PathBuf>, args: &[&str]) -> Self {
        Subject {
            label: label.to_string(),
            program: program.into(),
            args: args.iter().map(|s| s.to_string()).collect(),
            times: Vec::new(),
        }
    }

    fn run_once(&mut self, home: &Path) -> Result<()> {
        let t = Instant::now();
        let status = Command::new(&self.program)
            .args(&self.args)
            .env("HOME", home)
            .env("KAMAKI_CONFIG", home.join(".kamakirc"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .with_context(|| format!("cannot run {}", self.program.display()))?;
        let elapsed = t.elapsed();
        if !status.success() {
            bail!("{} exited with {status}", self.label);
        }
        self.times.push(elapsed);
        Ok(())
    }
}

/// Median, p90, min and mean of some durations.
fn stats(times: &[Duration]) -> (Duration, Duration, Duration, Duration) {
    let mut v = times.to_vec();
    v.sort();
    let pick = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    let mean = v.iter().sum::<Duration>() / v.len().max(1) as u32;
    (pick(0.5), pick(0.9), v[0], mean)
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn find_program(name: &str, fallbacks: &[&str]) -> PathBuf {
    for f in fallbacks {
        if Path::new(f).exists() {
            return PathBuf::from(f);
        }
    }
    PathBuf::from(name)
}

/// `cargo xtask bench-startup [--runs N] [--no-build] [--check]`.
pub fn main(args: &[String]) -> Result<()> {
    let o = parse(args)?;
    let root = crate::workspace_root();
    if o.build {
        eprintln!("[xtask] building the release kamaki binary");
        crate::run(Command::new(env!("CARGO")).args([
            "build",
            "--release",
            "-p",
            "kamaki-cli",
            "--bin",
            "kamaki",
        ]))?;
    }
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let kamaki = target_dir.join("release").join("kamaki");
    if !kamaki.exists() {
        bail!("{} is missing (run without --no-build)", kamaki.display());
    }
    let size = std::fs::metadata(&kamaki).map(|m| m.len()).unwrap_or(0);
    // an empty home: no config, no history, nothing to read
    let home = std::env::temp_dir().join(format!("kamaki-bench-startup-{}", std::process::id()));
    std::fs::create_dir_all(&home).context("cannot create a temporary home")?;

    let mut subjects = vec![
        Subject::new("kamaki --version", &kamaki, &["--version"]),
        Subject::new("kamaki --help", &kamaki, &["--help"]),
        Subject::new(
            "true",
            find_program("true", &["/bin/true", "/usr/bin/true"]),
            &[],
        ),
        Subject::new(
            "/bin/echo kamaki",
            find_program("echo", &["/bin/echo", "/usr/bin/echo"]),
            &["kamaki"],
        ),
    ];
    // warm the page cache once, then interleave the measured runs
    for s in subjects.iter_mut() {
        s.run_once(&home)?;
        s.times.clear();
    }
    for _ in 0..o.runs {
        for s in subjects.iter_mut() {
            s.run_once(&home)?;
        }
    }
    let _ = std::fs::remove_dir_all(&home);

    println!(
        "kamaki cold start: {} runs each, interleaved; binary {} ({:.1} MiB)",
        o.runs,
        kamaki.display(),
        size as f64 / 1024.0 / 1024.0
    );
    println!();
    println!("| command | median ms | p90 ms | min ms | mean ms |");
    println!("|---|---:|---:|---:|---:|");
    for s in &subjects {
        let (med, p90, min, mean) = stats(&s.times);
        println!(
            "| `{}` | {} | {} | {} | {} |",
            s.label,
            ms(med),
            ms(p90),
            ms(min),
            ms(mean)
        );
    }
    let (version_median, ..) = stats(&subjects[0].times);
    let (true_median, ..) = stats(&subjects[2].times);
    println!();
    println!(
        "kamaki --version median {} ms ({} ms above `true`); target <= {} ms: {}",
        ms(version_median),
        ms(version_median.saturating_sub(true_median)),
        ms(TARGET),
        if version_median <= TARGET {
            "met"
        } else {
            "MISSED"
        }
    );
    if o.check && version_median > TARGET {
        bail!(
            "kamaki --version median {} ms is over the target",
            ms(version_median)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statistics() {
        let t: Vec<Duration> = (1..=10).map(Duration::from_millis).collect();
        let (med, p90, min, mean) = stats(&t);
        assert_eq!(med, Duration::from_millis(6));
        assert_eq!(p90, Duration::from_millis(9));
        assert_eq!(min, Duration::from_millis(1));
        assert_eq!(mean, Duration::from_micros(5500));
    }

    #[test]
    fn arguments() {
        let o = parse(&["--runs".into(), "50".into(), "--no-build".into()]).unwrap();
        assert_eq!((o.runs, o.build, o.check), (50, false, false));
        assert!(parse(&["--runs".into(), "2".into()]).is_err());
        assert!(parse(&["--bogus".into()]).is_err());
    }
}
