//! The `vitrine` command line: `serve [--demo]`, `seed-demo`, `user add`,
//! `token list|add|revoke`, `gc`, `migrate` and `reindex`, each with `--config FILE` and
//! `--data-dir DIR`.
//! Serving itself is `crate::serve`'s, which `main` calls with the settings
//! made here.

use super::auth;
use super::config::{Config, Settings};
use super::convert::Limits;
use super::meta::pg::reindex::Rebuilt;
use super::meta::pg::DatabaseUrl;
use super::meta::Meta;
use super::migrate;
use super::store::blobs::object::Location;
use super::store::blobs::Blobs;
use super::store::gc::{self, Collected, Kind};
use crate::account::{NewToken, Scope};
use crate::error::{AppError, Missing};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;
use uuid::Uuid;

#[derive(Parser)]
#[command(name = "vitrine", version, about = "Self-hosted artifacts service for AI-agent chat platforms")]
pub struct Cli {
    /// The settings file (default ./Leptos.toml, if there is one); VITRINE_* variables override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Where artifacts, conversations and users are kept (VITRINE_DATA_DIR; default ./data).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server; its settings are those of Leptos.toml, each
    /// overridden by its variable (VITRINE_<SETTING>) and its flag.
    Serve {
        /// Seed an empty data directory with a demo user and artifacts.
        #[cfg(feature = "demo")]
        #[arg(long)]
        demo: bool,
        // Boxed: the other commands are a quarter of its size.
        #[command(flatten)]
        settings: Box<Settings>,
    },
    /// Add the demo user and artifacts unless the demo user exists: once,
    /// before several instances on one database start (`serve --demo`
    /// seeds an empty data directory, which each of them has).
    #[cfg(feature = "demo")]
    SeedDemo,
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
        #[command(flatten)]
        limits: Limits,
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
        #[command(flatten)]
        limits: Limits,
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
    /// Remove what a crash left in the store (the data directory, or the
    /// bucket of `store`): data files without metadata, temp files, cached
    /// cards of deleted versions, metadata without data; with PostgreSQL,
    /// the files of deleted versions and then their tombstones. Safe beside
    /// a running server: nothing younger than the grace is touched, but
    /// files of versions already deleted.
    Gc {
        /// How old a leftover must be to go (30m, 1h, 2days): longer than
        /// any request takes to store its files.
        #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
        grace: Duration,
        /// Print what would go; remove nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Copy the data directory's metadata into PostgreSQL, for
    /// `database_url`, and/or its artifacts into a bucket, for `store`:
    /// nothing there is overwritten, what is there already is compared, and
    /// run again it continues. Stop the server first, or run it twice (the
    /// second run is the check). Exits non-zero on any difference.
    Migrate {
        // Boxed: a database URL's parsed options are large.
        #[command(flatten)]
        targets: Box<Targets>,
    },
    /// Make PostgreSQL's rows of artifacts and versions anew from the
    /// store's metadata files, leaving out deleted versions and those whose
    /// message was never stored; numbers given before are not given again.
    /// Safe beside running servers: they read the old rows until it
    /// commits, and writes wait for it. With SQLite there is nothing to do:
    /// the index is made from the store at every start.
    Reindex {
        /// Print what would be written; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

/// Where `migrate` copies to.
#[derive(clap::Args)]
struct Targets {
    /// The bucket, as `store` will name it: s3://bucket[/prefix].
    #[arg(long, required_unless_present = "database")]
    to: Option<Location>,
    /// The database, as `database_url` will name it: postgres://….
    #[arg(long)]
    database: Option<DatabaseUrl>,
    /// Print what would be copied; copy nothing.
    #[arg(long)]
    dry_run: bool,
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

impl Cli {
    /// The settings file's, the environment's and the flags', in that order.
    pub fn settings(&self) -> Result<Settings, AppError> {
        let mut flags = match &self.command {
            Command::Serve { settings, .. } => (**settings).clone(),
            // The server's own children need none, and must not fail on them.
            Command::Convert { .. } | Command::Thumbnail { .. } => return Ok(Settings::default()),
            #[cfg(feature = "demo")]
            Command::SeedDemo => Settings::default(),
            Command::User { .. }
            | Command::Token { .. }
            | Command::Gc { .. }
            | Command::Migrate { .. }
            | Command::Reindex { .. } => Settings::default(),
        };
        flags.data_dir.clone_from(&self.data_dir);
        Settings::load(self.config.as_deref(), |name| std::env::var(name).ok(), &flags)
    }
}

pub async fn run(cli: Cli, settings: Settings) -> Result<Task, AppError> {
    let mut config = settings.config();
    match cli.command {
        Command::Serve {
            #[cfg(feature = "demo")]
            demo,
            ..
        } => {
            config.converter = std::env::current_exe().ok();
            #[cfg(not(feature = "demo"))]
            let demo = false;
            Ok(Task::Serve { config: Box::new(config), demo })
        }
        #[cfg(feature = "demo")]
        Command::SeedDemo => {
            // The store and database as `serve` opens them; no site is served.
            let site = leptos::config::LeptosOptions::builder().output_name("vitrine").build();
            let state = crate::serve::open_state(config, site)?;
            if state.meta.user_by_name(super::demo::USER.into()).await?.is_some() {
                println!("the demo user exists: nothing added");
            } else {
                super::demo::seed(&state.store).await?;
                println!("seeded the demo: user {}, password {}", super::demo::USER, super::demo::PASSWORD);
            }
            Ok(Task::Done)
        }
        Command::Convert { input, name, pictures, limits } => {
            limits.apply()?;
            super::convert::main(&input, &name, pictures).map(|()| Task::Done)
        }
        Command::Thumbnail { input, name, mime, out, limits } => {
            limits.apply()?;
            super::cards::main(&input, &name, &mime, &out).map(|()| Task::Done)
        }
        Command::User { command: UserCommand::Add { name, password } } => {
            let meta = Meta::open(&config)?;
            let generated = password.is_none();
            let password = password.unwrap_or_else(|| auth::new_secret("")[..20].to_string());
            let (_, token) = auth::add_user(&meta, &name, &password)?;
            println!("created user {name}");
            if generated {
                println!("password: {password}");
            }
            println!("{token}");
            Ok(Task::Done)
        }
        Command::Token { command } => {
            let meta = Meta::open(&config)?;
            let name = command.owner();
            let user = meta
                .user_by_name(name.to_string())
                .await?
                .ok_or_else(|| AppError::BadRequest(format!("No user named '{name}'")))?;
            token(&meta, user.id, command).await.map(|()| Task::Done)
        }
        Command::Gc { grace, dry_run } => {
            let blobs = Blobs::from_config(&config)?;
            // PostgreSQL's: its tombstones, and events past the age instances keep them for.
            let meta = config.database_url.is_some().then(|| Meta::open(&config)).transpose()?;
            let deleted = match &meta {
                Some(meta) => meta.tombstones().await?.into_iter().collect(),
                None => Default::default(),
            };
            let found = tokio::task::spawn_blocking(move || gc::collect(&blobs, grace, dry_run, &deleted)).await??;
            let mut rows = None;
            if let Some(meta) = meta {
                let events = meta.prune_events(config.events.max_age, dry_run).await?.unwrap_or(0);
                rows = Some((meta.forget_tombstones(found.gone.clone(), grace, dry_run).await?, events));
            }
            print_collected(&found, rows, dry_run);
            Ok(Task::Done)
        }
        Command::Migrate { targets } => {
            let Targets { to, database, dry_run } = *targets;
            tokio::task::spawn_blocking(move || migrate::run(&config, to.as_ref(), database.as_ref(), dry_run))
                .await??;
            Ok(Task::Done)
        }
        Command::Reindex { dry_run } => {
            let meta = Meta::open(&config)?;
            let blobs = Blobs::from_config(&config)?;
            match meta.reindex(move || blobs.versions(), dry_run).await? {
                Some(rebuilt) => print_reindexed(&rebuilt, dry_run),
                None => println!("nothing to do: with SQLite the index is made from the store at every start"),
            }
            Ok(Task::Done)
        }
    }
}

/// What `reindex` found, and the rows before and after.
fn print_reindexed(r: &Rebuilt, dry_run: bool) {
    println!("versions: {} (before: {})", r.versions, r.versions_before);
    println!("artifacts: {} (before: {})", r.artifacts, r.artifacts_before);
    println!("left out, never committed (no message): {}", r.orphans);
    println!("left out, deleted: {}", r.tombstoned);
    println!("left out, of unknown conversations: {}", r.unknown);
    for (user, before, after) in &r.users {
        println!("user {user}: artifacts {after} (before: {before})");
    }
    if dry_run {
        println!("dry run: nothing written");
    }
}

/// Each key, then a count and size per kind, and PostgreSQL's rows: the
/// tombstones forgotten and the old events.
fn print_collected(found: &Collected, rows: Option<(u64, u64)>, dry_run: bool) {
    let (verb, found) = (if dry_run { "would remove" } else { "removed" }, &found.orphans);
    for o in found {
        println!("{verb} {}", o.key);
    }
    for kind in Kind::ALL {
        let (count, bytes) = found.iter().filter(|o| o.kind == kind).fold((0, 0), |(n, b), o| (n + 1, b + o.size));
        println!("{}: {count} ({bytes} bytes)", kind.label());
    }
    if let Some((tombstones, events)) = rows {
        println!("tombstones of deleted versions whose files are gone: {tombstones}");
        println!("events older than the streams keep: {events}");
    }
    if dry_run {
        println!("dry run: nothing removed");
    }
}

async fn token(meta: &Meta, user: Uuid, command: TokenCommand) -> Result<(), AppError> {
    match command {
        TokenCommand::List { .. } => {
            for t in meta.tokens_of(user).await? {
                let expires = t.expires_at.unwrap_or_else(|| "never".into());
                let used = t.last_used_at.unwrap_or_else(|| "never".into());
                println!(
                    "{}  {}  {}  created {}  expires {expires}  last used {used}",
                    t.id, t.name, t.scope, t.created_at
                );
            }
        }
        TokenCommand::Add { name, scope, expires_in_days, .. } => {
            let created = auth::tokens::create(meta, user, NewToken { name, scope, expires_in_days }).await?;
            println!("created token {} ({})", created.info.id, created.info.scope);
            println!("{}", created.token);
        }
        TokenCommand::Revoke { id, .. } => {
            if !meta.delete_token(user, id).await? {
                return Err(Missing::Token(id).into());
            }
            println!("revoked token {id}");
        }
    }
    Ok(())
}
