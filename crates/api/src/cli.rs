//! The `hourbook` command.

use crate::app::Application;
use crate::clock::Clock;
use crate::config::Settings;
use crate::state::AppState;
use crate::{demo, worker};
use anyhow::Context;
use clap::{Parser, Subcommand};
use hourbook_domain::identity::{Email, check_new_password, parse_name};
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
            Ok(())
        }
    }
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
        print_demo(&summary, &state);
    }
    let app = Application::bind(state.clone()).await?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    worker::spawn(&state.settings, state.store.clone(), stopped.clone())?;
    tokio::spawn(crate::matching::run_upkeep(state.clone(), stopped));
    let server = &state.settings.server;
    let url = if server.public_url.is_empty() {
        let host = if server.host == "0.0.0.0" {
            "localhost"
        } else {
            server.host.as_str()
        };
        format!("http://{host}:{}/", app.port())
    } else {
        server.public_url.clone()
    };
    println!("Hourbook is running at {url}  (Ctrl-C to stop)");
    app.run_until(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    let _ = stop.send(true);
    Ok(())
}
