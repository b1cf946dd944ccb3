//! The `vitrine` command line: `serve [--demo]`, `user add` and
//! `token list|add|revoke`. Serving
//! itself is `crate::serve`'s, which `main` calls with the settings made here.

use super::config::Config;
use super::content::ContentOrigin;
use super::{auth, db};
use crate::account::{NewToken, Scope};
use crate::error::{AppError, Missing};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use uuid::Uuid;

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
        /// Sign-in attempts a minute for one account name (default 5).
        #[arg(long, env = "VITRINE_SIGN_IN_PER_ACCOUNT", value_parser = clap::value_parser!(u32).range(1..))]
        sign_in_per_account: Option<u32>,
        /// Sign-in attempts a minute from one client address (default 20).
        #[arg(long, env = "VITRINE_SIGN_IN_PER_ADDRESS", value_parser = clap::value_parser!(u32).range(1..))]
        sign_in_per_address: Option<u32>,
        /// Origin that serves agent-made files, another host name than the app's
        /// (e.g. https://usercontent.example.com; default http://usercontent.localhost on the app's port).
        #[arg(long, env = "VITRINE_CONTENT_ORIGIN")]
        content_origin: Option<ContentOrigin>,
        /// Share links: `on` (default) or `off` (none can be made; existing ones answer 410).
        #[arg(long, env = "VITRINE_SHARING", value_parser = clap::builder::BoolishValueParser::new())]
        sharing: Option<bool>,
        /// Allow share links that never expire (default: 1 hour to 90 days).
        #[arg(long, env = "VITRINE_SHARE_NO_EXPIRY", value_parser = clap::builder::BoolishValueParser::new())]
        share_no_expiry: Option<bool>,
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
        /// An Office document's pictures too, as images addressed by their
        /// parts' names (for a preview).
        #[arg(long)]
        pictures: bool,
    },
    /// Make a gallery card's face (used by the server, like `convert`).
    #[command(hide = true)]
    Thumbnail {
        input: PathBuf,
        #[arg(long)]
        name: String,
        #[arg(long)]
        mime: String,
        /// Where the card's picture, if it has one, is written.
        #[arg(long)]
        out: PathBuf,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage a user's API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
}

#[derive(clap::Args)]
struct Owner {
    /// Whose tokens.
    #[arg(long)]
    user: String,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// List the tokens: id, name, scope, created, expires.
    List {
        #[command(flatten)]
        owner: Owner,
    },
    /// Make a token; prints its secret (shown only now) on the last line.
    Add {
        #[command(flatten)]
        owner: Owner,
        /// What it is for.
        name: String,
        /// `read` (GET and HEAD only) or `read-write`.
        #[arg(long, default_value_t = Scope::ReadWrite)]
        scope: Scope,
        /// Days until it expires (1 to 3650); never if left out.
        #[arg(long)]
        expires_in_days: Option<u32>,
    },
    /// Revoke a token by its id; a running server refuses it within a second.
    Revoke {
        #[command(flatten)]
        owner: Owner,
        id: Uuid,
    },
}

impl TokenCommand {
    fn owner(&self) -> &str {
        match self {
            Self::List { owner } | Self::Add { owner, .. } | Self::Revoke { owner, .. } => &owner.user,
        }
    }
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
            sign_in_per_account,
            sign_in_per_address,
            content_origin,
            sharing,
            share_no_expiry,
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
            config.sign_in.per_account = sign_in_per_account.unwrap_or(config.sign_in.per_account);
            config.sign_in.per_address = sign_in_per_address.unwrap_or(config.sign_in.per_address);
            config.content_origin = content_origin;
            config.sharing.enabled = sharing.unwrap_or(config.sharing.enabled);
            config.sharing.allow_no_expiry = share_no_expiry.unwrap_or(config.sharing.allow_no_expiry);
            config.converter = std::env::current_exe().ok();
            #[cfg(not(feature = "demo"))]
            let demo = false;
            Ok(Task::Serve { config: Box::new(config), demo })
        }
        Command::Convert { input, name, pictures } => {
            super::convert::main(&input, &name, pictures).map(|()| Task::Done)
        }
        Command::Thumbnail { input, name, mime, out } => {
            super::cards::main(&input, &name, &mime, &out).map(|()| Task::Done)
        }
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
        Command::Token { command } => {
            let db = db::Db::open_in(&cli.data_dir)?;
            let name = command.owner();
            let user = db
                .run_blocking(|c| db::user_by_name(c, name))?
                .ok_or_else(|| AppError::BadRequest(format!("No user named '{name}'")))?;
            token(&db, user.id, command).map(|()| Task::Done)
        }
    }
}

fn token(db: &db::Db, user: Uuid, command: TokenCommand) -> Result<(), AppError> {
    match command {
        TokenCommand::List { .. } => {
            for t in db.run_blocking(|c| db::tokens_of(c, user))? {
                let expires = t.expires_at.unwrap_or_else(|| "never".into());
                let used = t.last_used_at.unwrap_or_else(|| "never".into());
                println!(
                    "{}  {}  {}  created {}  expires {expires}  last used {used}",
                    t.id, t.name, t.scope, t.created_at
                );
            }
        }
        TokenCommand::Add { name, scope, expires_in_days, .. } => {
            let created =
                db.run_blocking(|c| auth::tokens::create(c, user, NewToken { name, scope, expires_in_days }))?;
            println!("created token {} ({})", created.info.id, created.info.scope);
            println!("{}", created.token);
        }
        TokenCommand::Revoke { id, .. } => {
            if !db.run_blocking(|c| db::delete_token(c, user, id))? {
                return Err(Missing::Token(id).into());
            }
            println!("revoked token {id}");
        }
    }
    Ok(())
}
