//! The `vitrine` command line: `serve [--demo]` and `user add`.

use super::{auth, demo, open_db, open_state, router, DEFAULT_MAX_ARTIFACT_BYTES};
use crate::error::AppError;
use clap::{Parser, Subcommand};
use leptos::config::get_configuration;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(name = "vitrine", version, about = "Self-hosted artifacts service for AI-agent chat platforms")]
pub struct Cli {
    /// Where artifacts, conversations and users are kept.
    #[arg(long, env = "VITRINE_DATA_DIR", default_value = "./data", global = true)]
    data_dir: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server on the Leptos site address (LEPTOS_SITE_ADDR overrides it).
    Serve {
        /// Seed an empty data directory with a demo user and artifacts.
        #[arg(long)]
        demo: bool,
        /// Largest artifact accepted, in bytes.
        #[arg(long, env = "VITRINE_MAX_ARTIFACT_BYTES", default_value_t = DEFAULT_MAX_ARTIFACT_BYTES)]
        max_artifact_bytes: u64,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user; prints its API token on the last line.
    Add {
        name: String,
        /// Password for browser sign-in; a random one is made and printed if left out.
        #[arg(long, env = "VITRINE_PASSWORD")]
        password: Option<String>,
    },
}

pub async fn run() -> Result<(), AppError> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { demo, max_artifact_bytes } => serve(&cli.data_dir, demo, max_artifact_bytes).await,
        Command::User { command: UserCommand::Add { name, password } } => {
            let db = open_db(&cli.data_dir)?;
            let generated = password.is_none();
            let password = password.unwrap_or_else(|| auth::new_secret("")[..20].to_string());
            let (_, token) = auth::add_user(&db, &name, &password)?;
            println!("created user {name}");
            if generated {
                println!("password: {password}");
            }
            println!("{token}");
            Ok(())
        }
    }
}

fn is_empty_dir(dir: &Path) -> bool {
    std::fs::read_dir(dir).map(|mut entries| entries.next().is_none()).unwrap_or(true)
}

async fn serve(data_dir: &Path, demo: bool, max_artifact_bytes: u64) -> Result<(), AppError> {
    let conf = get_configuration(None).map_err(|e| AppError::Internal(format!("Leptos configuration: {e}")))?;
    let addr = conf.leptos_options.site_addr;
    let seed = demo && is_empty_dir(data_dir);
    if demo && !seed {
        tracing::info!("{} is not empty: demo data not added", data_dir.display());
    }
    let state = open_state(data_dir, max_artifact_bytes, conf.leptos_options)?;
    if seed {
        demo::seed(&state.store).await?;
    }
    let app = router(state);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("Vitrine is listening on http://{addr}");
    if demo {
        println!("Demo login: user demo, password demo");
    }
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = ctrl_c => {},
        _ = term.recv() => {},
    }
}
