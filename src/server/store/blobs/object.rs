//! `Blobs::Object`: an S3-compatible bucket through `object_store`, under a
//! prefix when the store's URL has one. Readers that need a path get a copy
//! from the spool (`store/spool.rs`).
//!
//! `Blobs`'s methods block, and an object store's are async: each request
//! runs on a runtime of this module's own, the caller waiting for its
//! answer. Its own, because callers block on any thread (the blocking pool,
//! start-up, tests' runtimes that end after each test), and the client's
//! connections belong to the runtime that made them.

use super::super::sidecar::Sidecar;
use super::super::small::{SmallFile, MAX_BYTES};
use super::super::spool::{LocalPath, Spool};
use super::{ByteStream, Listed};
use crate::server::io_runtime::IoRuntime;
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as Key;
use object_store::prefix::PrefixStore;
use object_store::signer::{Method, SignedUrlOptions, Signer};
use object_store::{
    GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutMode, PutPayload, RetryConfig, WriteMultipart,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tempfile::TempPath;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};

/// Staged files from this size on go up in parts of this size.
const PART_BYTES: usize = 8 * 1024 * 1024;
/// Parts in flight at once.
const PARTS_AT_ONCE: usize = 4;
/// Sidecars read at once by the start-up scan.
const SCAN_READS: usize = 32;
/// How often, and for how long, a failed request is tried again: someone
/// (a page, a download) waits for it, and would rather hear soon that the
/// store is unavailable (503) than after minutes.
const RETRIES: usize = 3;
const RETRY_SECONDS: u64 = 10;
/// Chunks of a body read ahead of whoever sends them on.
const CHUNKS_AHEAD: usize = 4;
/// How long a download's presigned URL is good for: time to follow a
/// redirect, not to pass the link around.
const SIGNED_FOR: Duration = Duration::from_secs(5 * 60);

static IO: IoRuntime = IoRuntime::new("object-io", 2);

/// Runs `request` on [`IO`], blocking the caller until it is answered.
fn run<T: Send + 'static>(request: impl Future<Output = T> + Send + 'static) -> T {
    IO.wait(request)
}

/// Where the bucket is: `s3://bucket[/prefix]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub bucket: String,
    pub prefix: String,
}

impl FromStr for Location {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let rest = s.strip_prefix("s3://").ok_or_else(|| format!("expected s3://bucket[/prefix], got {s:?}"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(format!("no bucket in {s:?}"));
        }
        Ok(Location { bucket: bucket.into(), prefix: prefix.trim_matches('/').into() })
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self.prefix.as_str() {
            "" => write!(f, "s3://{}", self.bucket),
            prefix => write!(f, "s3://{}/{prefix}", self.bucket),
        }
    }
}

pub struct Object {
    store: Arc<dyn ObjectStore>,
    spool: Spool,
    /// The bucket itself and where it is, to sign URLs of keys.
    s3: Arc<AmazonS3>,
    location: Location,
    /// Whether large downloads go to the bucket by a redirect (`s3_redirect`).
    redirect: bool,
}

/// An object store's error as an I/O error: `NotFound` kept, as readers
/// tell a missing file by it, and the error itself kept inside, which
/// `AppError` answers as a store unavailable.
fn io_error(e: object_store::Error) -> io::Error {
    match e {
        object_store::Error::NotFound { .. } => io::Error::new(io::ErrorKind::NotFound, e),
        e => io::Error::other(e),
    }
}

impl Object {
    /// The bucket at `location`, reached at `endpoint` (else AWS's), with
    /// the credentials and region of the `AWS_*` variables.
    pub fn connect(location: &Location, endpoint: Option<&str>, spool: Spool) -> io::Result<Object> {
        // reqwest is built without a TLS provider of its own (docs/scaling.md,
        // "Crate decisions"); a second call finds it installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let retry = RetryConfig {
            max_retries: RETRIES,
            retry_timeout: Duration::from_secs(RETRY_SECONDS),
            ..RetryConfig::default()
        };
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(&location.bucket).with_retry(retry);
        if let Some(endpoint) = endpoint {
            builder = builder.with_endpoint(endpoint).with_allow_http(endpoint.starts_with("http://"));
        }
        let s3 = Arc::new(builder.build().map_err(io_error)?);
        let store: Arc<dyn ObjectStore> = match location.prefix.as_str() {
            "" => s3.clone(),
            prefix => Arc::new(PrefixStore::new(s3.clone(), prefix)),
        };
        Ok(Object { store, spool, s3, location: location.clone(), redirect: false })
    }

    /// This bucket, with large downloads sent to it by a redirect or not.
    pub fn with_redirect(self, redirect: bool) -> Object {
        Object { redirect, ..self }
    }

    /// Whether the bucket answers: a LIST of the prefix's first level.
    pub fn check(&self) -> io::Result<()> {
        let store = self.store.clone();
        let listed = run(async move { store.list_with_delimiter(None).await });
        listed.map(drop).map_err(|e| io::Error::other(format!("bucket {} cannot be listed: {e}", self.location)))
    }

    /// A presigned GET of `key` whose answer carries this disposition and
    /// type, if downloads redirect to the bucket.
    pub fn download_url(&self, key: &str, disposition: &str, content_type: &str) -> io::Result<Option<String>> {
        if !self.redirect {
            return Ok(None);
        }
        let key = Key::from(match self.location.prefix.as_str() {
            "" => key.to_string(),
            prefix => format!("{prefix}/{key}"),
        });
        let answer = [("response-content-disposition", disposition), ("response-content-type", content_type)];
        let options = SignedUrlOptions::new().with_query(answer);
        let s3 = self.s3.clone();
        let url = run(async move { s3.signed_url_opts(Method::GET, &key, SIGNED_FOR, &options).await });
        url.map(|url| Some(url.to_string())).map_err(io_error)
    }

    /// Runs `request` with the store and `key`.
    fn call<T, F>(&self, key: &str, request: impl FnOnce(Arc<dyn ObjectStore>, Key) -> F) -> io::Result<T>
    where
        T: Send + 'static,
        F: Future<Output = object_store::Result<T>> + Send + 'static,
    {
        run(request(self.store.clone(), Key::from(key))).map_err(io_error)
    }

    pub fn put(&self, key: &str, bytes: &[u8]) -> io::Result<()> {
        self.put_payload(key, PutPayload::from(bytes.to_vec()))
    }

    fn put_payload(&self, key: &str, payload: PutPayload) -> io::Result<()> {
        self.call(key, |s, k| async move { s.put(&k, payload).await.map(drop) })
    }

    /// A PUT with `If-None-Match: *`, which the store refuses when the key exists.
    pub fn put_new(&self, key: &str, bytes: &[u8]) -> io::Result<bool> {
        let payload = PutPayload::from(bytes.to_vec());
        self.call(key, |s, k| async move {
            match s.put_opts(&k, payload, PutMode::Create.into()).await {
                Ok(_) => Ok(true),
                Err(object_store::Error::AlreadyExists { .. }) => Ok(false),
                Err(e) => Err(e),
            }
        })
    }

    /// A LIST, each page a request.
    pub fn list(&self, prefix: &str) -> io::Result<Vec<Listed>> {
        self.call(prefix, |s, prefix| async move {
            s.list(Some(&prefix))
                .map_ok(|o| Listed {
                    key: o.location.to_string(),
                    size: o.size,
                    modified: SystemTime::from(o.last_modified),
                })
                .try_collect()
                .await
        })
    }

    pub fn staging_dir(&self) -> PathBuf {
        self.spool.dir().to_path_buf()
    }

    pub fn put_staged(&self, key: &str, file: TempPath) -> io::Result<()> {
        self.put_file(key, &file)
    }

    /// The file at `path`, in one PUT, or from [`PART_BYTES`] a multipart
    /// upload (never more than a few parts in memory), aborted if it fails.
    pub fn put_file(&self, key: &str, path: &Path) -> io::Result<()> {
        if std::fs::metadata(path)?.len() < PART_BYTES as u64 {
            return self.put_payload(key, PutPayload::from(std::fs::read(path)?));
        }
        let (store, key, path) = (self.store.clone(), Key::from(key), path.to_path_buf());
        run(async move {
            let upload = store.put_multipart(&key).await.map_err(io_error)?;
            let mut parts = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
            let sent = async {
                let mut reader = tokio::fs::File::open(&path).await?;
                loop {
                    let mut part = Vec::with_capacity(PART_BYTES);
                    (&mut reader).take(PART_BYTES as u64).read_to_end(&mut part).await?;
                    if part.is_empty() {
                        return Ok(());
                    }
                    parts.wait_for_capacity(PARTS_AT_ONCE).await.map_err(io_error)?;
                    parts.put(part.into());
                }
            };
            match sent.await {
                Ok(()) => parts.finish().await.map(drop).map_err(io_error),
                Err(e) => {
                    if let Err(abort) = parts.abort().await {
                        tracing::warn!("could not abort the upload of {key}: {abort}");
                    }
                    Err(e)
                }
            }
        })
    }

    /// A server-side copy.
    pub fn link(&self, from: &str, to: &str) -> io::Result<()> {
        let to = Key::from(to);
        self.call(from, |s, from| async move { s.copy(&from, &to).await })
    }

    pub fn delete(&self, keys: impl IntoIterator<Item = String>) {
        let keys: Vec<_> = keys.into_iter().inspect(|k| self.spool.forget(k)).map(|k| Ok(Key::from(k))).collect();
        let store = self.store.clone();
        run(async move {
            let mut gone = store.delete_stream(futures_util::stream::iter(keys).boxed());
            while let Some(result) = gone.next().await {
                match result {
                    Ok(_) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => tracing::warn!("could not remove an object: {e}"),
                }
            }
        })
    }

    /// The SHA-256 of the bytes at `key`, in hex, read as a stream.
    pub fn sha256(&self, key: &str) -> io::Result<String> {
        self.call(key, |s, k| async move {
            let mut body = s.get(&k).await?.into_stream();
            let mut hasher = Sha256::new();
            while let Some(chunk) = body.try_next().await? {
                hasher.update(&chunk);
            }
            Ok(format!("{:x}", hasher.finalize()))
        })
    }

    pub fn read(&self, key: &str) -> io::Result<Vec<u8>> {
        self.call(key, |s, k| async move { Ok(s.get(&k).await?.bytes().await?.to_vec()) })
    }

    /// A GET of the range; S3 refuses one that starts at or past the end,
    /// which reads nothing here.
    pub fn read_range(&self, key: &str, range: Range<u64>) -> io::Result<Vec<u8>> {
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let start = range.start;
        let read = self.call(key, |s, k| async move { s.get_range(&k, range).await });
        match read {
            Ok(bytes) => Ok(bytes.to_vec()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(e),
            Err(e) => match self.call(key, |s, k| async move { s.head(&k).await }) {
                Ok(head) if start >= head.size => Ok(Vec::new()),
                _ => Err(e),
            },
        }
    }

    pub async fn read_small(&self, key: &str) -> io::Result<SmallFile> {
        let (store, key) = (self.store.clone(), Key::from(key));
        let read = IO.spawn(async move {
            let got = store.get(&key).await?;
            if got.meta.size > MAX_BYTES {
                return Ok(None);
            }
            // Dated by its row, as a large object's answer is: the object's
            // own date can be a second later than the row's.
            Ok(Some(SmallFile { bytes: got.bytes().await?, modified: None }))
        });
        match read.await.map_err(io::Error::other)?.map_err(io_error)? {
            Some(file) => Ok(file),
            None => Err(io::Error::other("not a small file")),
        }
    }

    /// The spool's copy, downloaded if it has none. (Its date is the
    /// download's: a bucket's files are served dated by their rows.)
    pub fn local_path(&self, key: &str) -> io::Result<LocalPath> {
        self.spool.path(key, |file| {
            let out = tokio::fs::File::from_std(file.try_clone()?);
            let (store, key) = (self.store.clone(), Key::from(key));
            run(async move {
                let got = store.get(&key).await.map_err(io_error)?;
                let mut body = got.into_stream().map_err(io_error);
                let mut out = tokio::io::BufWriter::new(out);
                while let Some(chunk) = body.try_next().await? {
                    out.write_all(&chunk).await?;
                }
                out.flush().await
            })
        })
    }

    /// Starts a GET of `key` (of `range`) on [`IO`]: its answer comes
    /// through the first receiver, then its body through the second, a few
    /// chunks ahead of the reader. A reader that goes away ends the GET.
    fn get(
        &self,
        key: &str,
        range: Option<Range<u64>>,
    ) -> (oneshot::Receiver<io::Result<()>>, mpsc::Receiver<io::Result<Bytes>>) {
        let (answered, answer) = oneshot::channel();
        let (tx, body) = mpsc::channel(CHUNKS_AHEAD);
        let (store, key) = (self.store.clone(), Key::from(key));
        IO.spawn(async move {
            let options = GetOptions { range: range.map(GetRange::from), ..GetOptions::default() };
            let mut chunks = match store.get_opts(&key, options).await {
                Ok(got) => got.into_stream(),
                Err(e) => return drop(answered.send(Err(io_error(e)))),
            };
            if answered.send(Ok(())).is_err() {
                return;
            }
            while let Some(chunk) = chunks.next().await {
                if tx.send(chunk.map_err(io_error)).await.is_err() {
                    return;
                }
            }
        });
        (answer, body)
    }

    pub async fn stream(&self, key: &str, range: Option<Range<u64>>) -> io::Result<ByteStream> {
        let (answer, body) = self.get(key, range);
        answer.await.map_err(io::Error::other)??;
        Ok(tokio_stream::wrappers::ReceiverStream::new(body).boxed())
    }

    /// A reader of `key`'s body as it comes, for callers that block (a ZIP
    /// download's writer): no copy in the spool.
    pub fn open(&self, key: &str) -> io::Result<BodyReader> {
        let (answer, body) = self.get(key, None);
        answer.blocking_recv().map_err(io::Error::other)??;
        Ok(BodyReader { body, chunk: Bytes::new() })
    }

    /// Every version whose sidecar and data object are whole. What a crash
    /// left (data without a sidecar) stays: removing it is `gc`'s, which
    /// knows how old it is (docs/scaling.md, "Writing").
    pub fn scan(&self) -> io::Result<Vec<Sidecar>> {
        let store = self.store.clone();
        run(async move {
            let objects: Vec<_> = store.list(Some(&Key::from("conversations"))).try_collect().await?;
            let sizes: HashMap<String, u64> = objects.iter().map(|o| (o.location.to_string(), o.size)).collect();
            let sidecars = objects.into_iter().filter(|o| o.location.as_ref().ends_with(".meta.json"));
            let read = sidecars.map(|o| {
                let (store, sizes) = (store.clone(), &sizes);
                async move {
                    let bytes = store.get(&o.location).await?.bytes().await?;
                    let name = o.location.filename().unwrap_or_default().to_string();
                    let checked = super::checked_sidecar(&name, &bytes, |meta| {
                        let size = sizes.get(&meta.data_key()).copied();
                        size.ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no data object").into())
                    });
                    match checked {
                        Ok(meta) => Ok(Some(meta)),
                        Err(e) => {
                            tracing::warn!("not listing artifact {}: {e}", o.location);
                            Ok::<_, object_store::Error>(None)
                        }
                    }
                }
            });
            let found: Vec<_> = futures_util::stream::iter(read).buffer_unordered(SCAN_READS).try_collect().await?;
            Ok::<_, object_store::Error>(found.into_iter().flatten().collect())
        })
        .map_err(io_error)
    }
}

/// A GET's body as a blocking `Read`.
pub struct BodyReader {
    body: mpsc::Receiver<io::Result<Bytes>>,
    chunk: Bytes,
}

impl io::Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            match self.body.blocking_recv() {
                Some(chunk) => self.chunk = chunk?,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_a_bucket_and_a_prefix() {
        let l: Location = "s3://b/some/prefix/".parse().unwrap();
        assert_eq!(l, Location { bucket: "b".into(), prefix: "some/prefix".into() });
        assert_eq!(l.to_string(), "s3://b/some/prefix");
        assert_eq!("s3://b".parse::<Location>().unwrap().prefix, "");
        assert!("s3:///p".parse::<Location>().is_err());
        assert!("/data".parse::<Location>().is_err());
    }
}
