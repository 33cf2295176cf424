//! The `hourbook` command.

use crate::app::Application;
use crate::clock::Clock;
use crate::config::Settings;
use crate::state::AppState;
use crate::{demo, worker};
use anyhow::Context;
use clap::{Parser, Subcommand};
use hourbook_domain::certificate::{
    CertificateSigner, KeyRing, SignedCertificate, key_id, public_key_from_base64,
};
use hourbook_domain::identity::{Email, check_new_password, parse_name};
use hourbook_domain::ledger::BreakKind;
use hourbook_matching::Progress;
use hourbook_store::matching::VolunteerPool;
use std::path::PathBuf;

/// Hourbook: volunteer shifts and a verified ledger of service hours.
#[derive(Debug, Parser)]
#[command(name = "hourbook", version)]
pub struct Cli {
    /// A settings file read on top of the built-in defaults (config/default.toml).
    #[arg(long, global = true, env = "HOURBOOK_CONFIG")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (and, in the embedded default, the e-mail worker).
    Serve {
        /// Load the demo district on first start.
        #[arg(long)]
        demo: bool,
    },
    /// Send the outbox's e-mail (reminders and digests included) until stopped. Run as many
    /// as you like beside the API processes; `serve` runs one itself unless
    /// `email.worker_in_serve` is false.
    Worker,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Manage platform administrators.
    Admin {
        /// What to do.
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// The demo district.
    Demo {
        /// What to do.
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// Certificate signing keys.
    Keys {
        /// What to do.
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Certificates.
    Certificate {
        /// What to do.
        #[command(subcommand)]
        command: CertificateCommand,
    },
    /// The hours ledger.
    Ledger {
        /// What to do.
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// The e-mail the embedded default wrote to `email.outbox_dir`.
    Outbox {
        /// What to do.
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// Roster planning from the command line (for large events).
    Roster {
        /// What to do.
        #[command(subcommand)]
        command: RosterCommand,
    },
}

/// `hourbook keys ...`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a new Ed25519 key pair for `certificates.signing_key`.
    Generate,
}

/// `hourbook certificate ...`
#[derive(Debug, Subcommand)]
pub enum CertificateCommand {
    /// Check a certificate file offline: the JSON from `GET /api/v1/certificates/{code}` (or
    /// just its `certificate` part). Exits with 1 unless the signature is valid.
    Verify {
        /// The file.
        file: PathBuf,
        /// The published public key (base64); the configured key's by default.
        #[arg(long)]
        public_key: Option<String>,
    },
}

/// `hourbook ledger ...`
#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Walk the hash chains and report every entry where one breaks (edited, re-hashed,
    /// removed or inserted behind the application's back). Exits with 1 when any is found.
    Verify {
        /// Only this volunteer's chain (their login e-mail).
        #[arg(long)]
        volunteer: Option<String>,
    },
}

/// `hourbook outbox ...`
#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// Print the newest messages decoded: sender, recipient, subject and the plain-text part.
    Read {
        /// How many, newest first.
        #[arg(long, default_value_t = 1)]
        last: usize,
    },
}

/// `hourbook roster ...`
#[derive(Debug, Subcommand)]
pub enum RosterCommand {
    /// Plan an event's open seats and store the proposal, as `POST
    /// /api/v1/events/{id}/roster-plans` does; the organizer reviews and accepts it.
    Plan {
        /// The event's id.
        #[arg(long)]
        event: uuid::Uuid,
        /// The organizer the plan is made for (an organizer of the event's organization).
        #[arg(long)]
        organizer: String,
        /// `eligible` (every discoverable volunteer) or `invited` (those already invited).
        #[arg(long, default_value = "eligible")]
        pool: String,
    },
}

/// `hourbook admin ...`
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a platform administrator (or promote an existing account and reset its password).
    Create {
        /// Login e-mail.
        #[arg(long)]
        email: String,
        /// Password (at least 10 characters).
        #[arg(long)]
        password: String,
        /// Display name.
        #[arg(long, default_value = "Platform admin")]
        name: String,
    },
}

/// `hourbook demo ...`
#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Generate and load the demo district (once; later calls change nothing).
    Load,
}

/// Runs the command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = Settings::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve { demo } => serve(settings, demo).await,
        Command::Worker => run_worker(settings).await,
        Command::Outbox {
            command: OutboxCommand::Read { last },
        } => read_outbox(&settings, last),
        Command::Keys {
            command: KeysCommand::Generate,
        } => {
            let signer = CertificateSigner::generate();
            println!("# certificates.signing_key (secret: keep it out of version control)");
            println!("signing_key = \"{}\"", signer.secret_base64());
            println!("# the public key to publish (key id {})", signer.key_id());
            println!("public_key = \"{}\"", signer.public_base64());
            Ok(())
        }
        Command::Certificate {
            command: CertificateCommand::Verify { file, public_key },
        } => verify_certificate_file(&settings, &file, public_key.as_deref()),
        Command::Ledger {
            command: LedgerCommand::Verify { volunteer },
        } => verify_ledger(settings, volunteer.as_deref()).await,
        Command::Migrate => {
            AppState::connect(settings, Clock::System).await?;
            println!("database schema is up to date");
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    password,
                    name,
                },
        } => {
            let email = Email::parse(&email)
                .map_err(|_| anyhow::anyhow!("--email is not an e-mail address"))?;
            check_new_password(&password)
                .map_err(|_| anyhow::anyhow!("--password must be at least 10 characters"))?;
            let name = parse_name(&name, "name")
                .map_err(|_| anyhow::anyhow!("--name must be 1-100 characters"))?;
            let state = AppState::connect(settings, Clock::System).await?;
            let hash = state.hash_password(password).await?;
            let account = state
                .store
                .ensure_platform_admin(&email, &name, &hash, state.clock.now())
                .await?;
            println!("platform admin {} ({})", account.email, account.id);
            Ok(())
        }
        Command::Demo {
            command: DemoCommand::Load,
        } => {
            let state = AppState::connect(settings, Clock::System).await?;
            print_demo(&demo::load(&state).await?, &state);
            // A shared (Redis) index must learn about the new shifts now, not at the next
            // rebuild of some server.
            state.rebuild_shift_index().await?;
            Ok(())
        }
        Command::Roster {
            command:
                RosterCommand::Plan {
                    event,
                    organizer,
                    pool,
                },
        } => plan_roster(settings, event, &organizer, &pool).await,
    }
}

/// `hourbook roster plan`: the planner with progress bars on the terminal.
async fn plan_roster(
    settings: Settings,
    event: uuid::Uuid,
    organizer: &str,
    pool: &str,
) -> anyhow::Result<()> {
    let pool: VolunteerPool = pool
        .parse()
        .map_err(|_| anyhow::anyhow!("--pool must be \"eligible\" or \"invited\""))?;
    let email = Email::parse(organizer)
        .map_err(|_| anyhow::anyhow!("--organizer is not an e-mail address"))?;
    let state = AppState::connect(settings, Clock::System).await?;
    let (account, _) = state
        .store
        .find_login(&email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no account with the e-mail {organizer}"))?;
    let actor = state.store.actor(&account).await?;
    let bars = indicatif::MultiProgress::new();
    let style =
        indicatif::ProgressStyle::with_template("{prefix:>11} [{bar:40}] {pos}/{len} {elapsed}")?
            .progress_chars("=> ");
    let checking = bars.add(indicatif::ProgressBar::new(0).with_style(style.clone()));
    checking.set_prefix("volunteers");
    let filling = bars.add(indicatif::ProgressBar::new(0).with_style(style));
    filling.set_prefix("seats");
    let (c, f) = (checking.clone(), filling.clone());
    let started = std::time::Instant::now();
    let plan = crate::matching::plan_event(&state, &actor, event, pool, move |p| match p {
        Progress::Candidates { done, total } => {
            c.set_length(total);
            c.set_position(done);
        }
        Progress::Flow { done, total } => {
            f.set_length(total);
            f.set_position(done);
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("cannot plan the roster: {e}"))?;
    checking.finish();
    filling.finish();
    let missing: u32 = plan.unfilled.iter().map(|u| u.missing).sum();
    println!(
        "roster plan {} for event {event}: {} seats proposed, {missing} left empty, total score {:.1} ({:.1} s)",
        plan.id,
        plan.assignments.len(),
        plan.total_score,
        started.elapsed().as_secs_f64()
    );
    if let Some(bound) = plan.fill_bound {
        println!("no plan from this pool could fill more than {bound} seats");
    }
    // The planner's measure: scores less the spread penalty, not the total score alone.
    match plan.score_gap {
        Some(0.0) => println!("no plan filling as many seats does better: this one is optimal"),
        Some(gap) => {
            println!("no plan filling as many seats does better by more than {gap:.2} points")
        }
        None => {}
    }
    println!(
        "review it with GET /api/v1/roster-plans/{}; POST /api/v1/roster-plans/{}/accept sends the invitations",
        plan.id, plan.id
    );
    Ok(())
}

fn print_demo(summary: &hourbook_store::demo::DemoSummary, state: &AppState) {
    if summary.loaded {
        println!(
            "demo district loaded: {} organizations, {} volunteers, {} events, {} shifts, {} signups, {} verified records",
            summary.organizations,
            summary.volunteers,
            summary.events,
            summary.shifts,
            summary.signups,
            summary.ledger_entries
        );
    } else {
        println!("demo district already loaded");
    }
    println!("demo logins (password: {}):", state.settings.demo.password);
    for (email, what) in demo::logins() {
        println!("  {email:<36} {what}");
    }
}

async fn serve(settings: Settings, with_demo: bool) -> anyhow::Result<()> {
    let state = AppState::connect(settings, Clock::System).await?;
    if with_demo {
        let summary = demo::load(&state)
            .await
            .context("cannot load the demo district")?;
        state
            .rebuild_shift_index()
            .await
            .context("cannot index the demo district's shifts")?;
        print_demo(&summary, &state);
    }
    let app = Application::bind(state.clone()).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let url = worker::public_url(&state.settings, app.port());
    if state.settings.email.worker_in_serve {
        worker::spawn(&state, url.clone(), stopped.clone())?;
    }
    tokio::spawn(crate::upkeep::run_upkeep(state.clone(), stopped));
    println!("Hourbook is running at {url}/  (Ctrl-C to stop)");
    app.run_until(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    let _ = stop.send(true);
    Ok(())
}

async fn run_worker(settings: Settings) -> anyhow::Result<()> {
    let state = AppState::connect(settings, Clock::System).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let url = worker::public_url(&state.settings, state.settings.server.port);
    let worker = worker::spawn(&state, url, stopped)?;
    println!("Hourbook worker is sending the outbox  (Ctrl-C to stop)");
    let _ = tokio::signal::ctrl_c().await;
    let _ = stop.send(true);
    worker.await?;
    Ok(())
}

/// Prints the newest `last` `.eml` files of the outbox directory, decoded (they are MIME, with
/// base64 or quoted-printable parts, and not meant for reading raw).
fn read_outbox(settings: &Settings, last: usize) -> anyhow::Result<()> {
    let dir = std::path::Path::new(&settings.email.outbox_dir);
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "eml") {
            files.push((std::fs::metadata(&path)?.modified()?, path));
        }
    }
    files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
    for (_, path) in files.into_iter().take(last) {
        let raw = std::fs::read(&path)?;
        let message = mail_parser::MessageParser::default()
            .parse(&raw)
            .with_context(|| format!("{} is not an e-mail", path.display()))?;
        let addresses = |a: Option<&mail_parser::Address>| {
            a.into_iter()
                .flat_map(|a| a.iter())
                .filter_map(|a| a.address())
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!("== {}", path.display());
        println!("From:    {}", addresses(message.from()));
        println!("To:      {}", addresses(message.to()));
        println!("Subject: {}", message.subject().unwrap_or_default());
        println!();
        println!("{}", message.body_text(0).unwrap_or_default());
    }
    Ok(())
}

async fn verify_ledger(settings: Settings, volunteer: Option<&str>) -> anyhow::Result<()> {
    let state = AppState::connect(settings, Clock::System).await?;
    let volunteer = match volunteer {
        None => None,
        Some(email) => {
            let address = Email::parse(email)
                .map_err(|_| anyhow::anyhow!("--volunteer is not an e-mail address"))?;
            let (account, _) = state
                .store
                .find_login(&address)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no account with the e-mail {email}"))?;
            Some(account.id)
        }
    };
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template("{prefix:>7} [{bar:40}] {pos}/{len} {elapsed}")?
            .progress_chars("=> "),
    );
    bar.set_prefix("chains");
    let progress = bar.clone();
    let check = state
        .store
        .check_ledger(volunteer, move |done, total| {
            progress.set_length(total);
            progress.set_position(done);
        })
        .await?;
    bar.finish_and_clear();
    for b in &check.breaks {
        println!(
            "BREAK entry {} (volunteer {}, position {}): {}",
            b.entry_id,
            b.volunteer_id,
            b.chain_index,
            match b.kind {
                BreakKind::ContentChanged => "its content no longer matches its hash",
                BreakKind::LinkBroken => "it does not follow the entry before it",
                BreakKind::IndexGap => "positions are missing or repeated before it",
            }
        );
    }
    println!(
        "checked {} entries in {} chains: {} breaks",
        check.entries,
        check.volunteers,
        check.breaks.len()
    );
    anyhow::ensure!(
        check.breaks.is_empty(),
        "the ledger's hash chains are broken at {} entries (listed above)",
        check.breaks.len()
    );
    Ok(())
}

fn verify_certificate_file(
    settings: &Settings,
    file: &std::path::Path,
    public_key: Option<&str>,
) -> anyhow::Result<()> {
    let ring = match public_key {
        Some(raw) => KeyRing::new(
            public_key_from_base64(raw).map_err(|e| anyhow::anyhow!("--public-key {e}"))?,
            Vec::new(),
        ),
        None => settings.certificate_keys()?,
    };
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))?;
    let envelope = json.get("certificate").cloned().unwrap_or(json);
    let signed: SignedCertificate = serde_json::from_value(envelope).with_context(|| {
        format!(
            "{} holds no certificate (document and signature)",
            file.display()
        )
    })?;
    let document = signed
        .read()
        .ok_or_else(|| anyhow::anyhow!("the document is not an Hourbook certificate"))?;
    anyhow::ensure!(
        ring.signed(&signed),
        "the signature is NOT valid (the certificate names key {}; known keys: {}): do not trust certificate {}",
        document.key_id,
        std::iter::once(ring.current())
            .chain(ring.retired())
            .map(key_id)
            .collect::<Vec<_>>()
            .join(", "),
        document.number
    );
    println!("signature valid (key {})", document.key_id);
    println!("certificate {}  code {}", document.number, document.code);
    println!(
        "{} ({}): {} minutes from {} to {}, issued {}",
        document.volunteer.name,
        document.volunteer.volunteer_number,
        document.total_minutes,
        document.period.from,
        document.period.to,
        document.issued_at
    );
    println!(
        "whether the ledger still agrees: GET /api/v1/certificates/{}",
        document.code
    );
    Ok(())
}
