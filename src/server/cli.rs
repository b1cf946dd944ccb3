//! The `vitrine` command line: `serve [--demo]` and `user add`. Serving
//! itself is `crate::serve`'s, which `main` calls with the settings made here.

use super::config::Config;
use super::content::ContentOrigin;
use super::{auth, db};
use crate::error::AppError;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

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
        #[cfg(feature = "demo")]
        #[arg(long)]
        demo: bool,
        /// Largest artifact accepted, in bytes (default 100 MiB).
        #[arg(long, env = "VITRINE_MAX_ARTIFACT_BYTES")]
        max_artifact_bytes: Option<u64>,
        /// Memory for small files (up to 256 KiB) kept once read, in MiB (default 32; 0 keeps none).
        #[arg(long, env = "VITRINE_FILE_CACHE_MIB")]
        file_cache_mib: Option<u64>,
        /// Largest uploaded file, in bytes (default 50 MiB).
        #[arg(long, env = "VITRINE_MAX_UPLOAD_BYTES")]
        max_upload_bytes: Option<u64>,
        /// Most files in one upload request (default 10).
        #[arg(long, env = "VITRINE_MAX_UPLOAD_FILES")]
        max_upload_files: Option<u32>,
        /// Largest upload request, all files together, in bytes (default 100 MiB).
        #[arg(long, env = "VITRINE_MAX_UPLOAD_REQUEST_BYTES")]
        max_upload_request_bytes: Option<u64>,
        /// Most open connections (default 4096, fewer if file descriptors are short).
        #[arg(long, env = "VITRINE_MAX_CONNECTIONS")]
        max_connections: Option<u32>,
        /// Seconds a client has to send a request's headers (default 10).
        #[arg(long, env = "VITRINE_HEADER_TIMEOUT_SECS")]
        header_timeout_secs: Option<u64>,
        /// Origin that serves agent-made files, another host name than the app's
        /// (e.g. https://usercontent.example.com; default http://usercontent.localhost on the app's port).
        #[arg(long, env = "VITRINE_CONTENT_ORIGIN")]
        content_origin: Option<ContentOrigin>,
    },
    /// Convert a document to Markdown on standard output (used by the server,
    /// in a separate process with time and memory limits).
    #[command(hide = true)]
    Convert {
        /// The document's file.
        input: PathBuf,
        /// Its original name, whose extension says what it is.
        #[arg(long)]
        name: String,
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

/// What is left to do once the command line is handled.
pub enum Task {
    // Boxed: the settings are large beside `Done`.
    Serve { config: Box<Config>, demo: bool },
    Done,
}

pub fn run() -> Result<Task, AppError> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            #[cfg(feature = "demo")]
            demo,
            max_artifact_bytes,
            file_cache_mib,
            max_upload_bytes,
            max_upload_files,
            max_upload_request_bytes,
            max_connections,
            header_timeout_secs,
            content_origin,
        } => {
            let mut config = Config::new(&cli.data_dir);
            config.max_artifact_bytes = max_artifact_bytes.unwrap_or(config.max_artifact_bytes);
            if let Some(mib) = file_cache_mib {
                config.file_cache_bytes = mib * 1024 * 1024;
            }
            config.uploads.max_file_bytes = max_upload_bytes.unwrap_or(config.uploads.max_file_bytes);
            config.uploads.max_files = max_upload_files.unwrap_or(config.uploads.max_files);
            config.uploads.max_request_bytes = max_upload_request_bytes.unwrap_or(config.uploads.max_request_bytes);
            config.connections.max_connections = max_connections.unwrap_or(config.connections.max_connections);
            if let Some(secs) = header_timeout_secs {
                config.connections.header_timeout = std::time::Duration::from_secs(secs);
            }
            config.content_origin = content_origin;
            config.converter = std::env::current_exe().ok();
            #[cfg(not(feature = "demo"))]
            let demo = false;
            Ok(Task::Serve { config: Box::new(config), demo })
        }
        Command::Convert { input, name } => super::convert::main(&input, &name).map(|()| Task::Done),
        Command::User { command: UserCommand::Add { name, password } } => {
            let db = db::Db::open_in(&cli.data_dir)?;
            let generated = password.is_none();
            let password = password.unwrap_or_else(|| auth::new_secret("")[..20].to_string());
            let (_, token) = auth::add_user(&db, &name, &password)?;
            println!("created user {name}");
            if generated {
                println!("password: {password}");
            }
            println!("{token}");
            Ok(Task::Done)
        }
    }
}
