//! The index of open shifts shared by the API processes, behind one async trait: in-process
//! (an R-tree under a lock) in the embedded mode, a Redis GEO set in production.
//!
//! Both implementations answer `within` identically: the same ids, in the same order (distance,
//! then id), with bit-identical distances. Redis alone cannot do that: its GEO set keeps a 52-bit
//! geohash of each position (off by up to ~0.3 m, i.e. ~3e-4 km) and measures with its own earth
//! radius (6372.797560856 km against our 6371.0088 km). So the Redis index also keeps every
//! shift's exact coordinates in a companion hash and uses the GEO set only to find candidates;
//! distances, the radius filter, the order and the `limit` are all decided on the exact
//! coordinates with [`Coordinates::distance_km`], as the in-process index does.

use crate::geo_index::{RTreeShiftIndex, ShiftIndex};
use hourbook_domain::Coordinates;
use std::sync::{PoisonError, RwLock};
use uuid::Uuid;

/// Failure of the shared index (only the Redis one can fail).
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("geo index unavailable: {0}")]
    Unavailable(String),
}

/// The index of open shifts every API process consults: in-process in the embedded mode, a Redis GEO set in production
/// (so every replica sees the same index). The database stays the truth: callers re-check what they load.
#[async_trait::async_trait]
pub trait OpenShiftIndex: Send + Sync + std::fmt::Debug {
    async fn upsert(&self, shift_id: Uuid, location: Coordinates) -> Result<(), IndexError>;
    async fn remove(&self, shift_id: Uuid) -> Result<(), IndexError>;
    /// Shifts within radius_km of center, nearest first, at most `limit`, with distance in km.
    async fn within(
        &self,
        center: Coordinates,
        radius_km: f64,
        limit: usize,
    ) -> Result<Vec<(Uuid, f64)>, IndexError>;
    /// Replaces the whole content atomically (rebuild from the database on start / periodically): readers see the old set or the new one, never a half-built one.
    async fn replace_all(&self, shifts: Vec<(Uuid, Coordinates)>) -> Result<(), IndexError>;
    async fn len(&self) -> Result<usize, IndexError>;
    /// Whether no shift is indexed.
    async fn is_empty(&self) -> Result<bool, IndexError> {
        Ok(self.len().await? == 0)
    }
}

/// Whether a `within` query can have any answer at all.
fn answerable(radius_km: f64, limit: usize) -> bool {
    limit > 0 && radius_km.is_finite() && radius_km >= 0.0
}

// ---------------------------------------------------------------------------------------------
// In-process
// ---------------------------------------------------------------------------------------------

/// The embedded mode's index: an R-tree behind a lock. `replace_all` bulk-loads a new tree
/// outside the lock and swaps it in, so readers only ever wait for the swap.
#[derive(Default)]
pub struct InProcessShiftIndex {
    tree: RwLock<RTreeShiftIndex>,
}

impl InProcessShiftIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    // A panic while holding the lock cannot leave the tree half-updated in a way that matters
    // more than losing the whole index would: keep serving it.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, RTreeShiftIndex> {
        self.tree.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, RTreeShiftIndex> {
        self.tree.write().unwrap_or_else(PoisonError::into_inner)
    }
}

impl std::fmt::Debug for InProcessShiftIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcessShiftIndex")
            .field("len", &self.read().len())
            .finish()
    }
}

#[async_trait::async_trait]
impl OpenShiftIndex for InProcessShiftIndex {
    async fn upsert(&self, shift_id: Uuid, location: Coordinates) -> Result<(), IndexError> {
        self.write().upsert(shift_id, location);
        Ok(())
    }

    async fn remove(&self, shift_id: Uuid) -> Result<(), IndexError> {
        self.write().remove(shift_id);
        Ok(())
    }

    async fn within(
        &self,
        center: Coordinates,
        radius_km: f64,
        limit: usize,
    ) -> Result<Vec<(Uuid, f64)>, IndexError> {
        if !answerable(radius_km, limit) {
            return Ok(Vec::new());
        }
        // Sorted by (distance, id) already.
        let mut found = self.read().within(center, radius_km);
        found.truncate(limit);
        Ok(found)
    }

    async fn replace_all(&self, shifts: Vec<(Uuid, Coordinates)>) -> Result<(), IndexError> {
        let fresh = RTreeShiftIndex::bulk(shifts);
        let old = std::mem::replace(&mut *self.write(), fresh);
        drop(old); // freed outside the lock
        Ok(())
    }

    async fn len(&self) -> Result<usize, IndexError> {
        Ok(self.read().len())
    }
}

// ---------------------------------------------------------------------------------------------
// Redis
// ---------------------------------------------------------------------------------------------

/// Redis' earth radius for GEO distances (`EARTH_RADIUS_IN_METERS` in geohash_helper.c).
const REDIS_EARTH_RADIUS_KM: f64 = 6_372.797_560_856;
/// The radius of [`Coordinates::distance_km`] (geo's `Haversine`, GRS80 mean radius).
const OUR_EARTH_RADIUS_KM: f64 = 6_371.008_8;
/// Upper bound on how far a position stored in the GEO set lies from the exact one: a 52-bit
/// geohash cell is at most ~0.6 m x 0.3 m and Redis reports its centre (~0.33 m off); a
/// generous 2 m covers that and float noise.
const GEOHASH_ERROR_KM: f64 = 0.002;
/// `WITHDIST` distances are rounded to 4 decimals of the unit (km here).
const WITHDIST_ROUNDING_KM: f64 = 0.0001;
/// Redis' GEO cannot store latitudes beyond the Web Mercator limit.
const REDIS_MAX_LAT: f64 = 85.051_128_78;
/// Members per GEOADD/HSET in `replace_all`.
const BATCH: usize = 1_000;
/// Build keys expire if the process dies while building (RENAME keeps the TTL, so the swap
/// script PERSISTs the renamed keys).
const BUILD_TTL_SECONDS: u64 = 3_600;
/// Above this many candidates a `within` query stops using COUNT and fetches every candidate.
const FETCH_ALL_ABOVE: usize = 1 << 32;

/// One consistent read: GEOSEARCH for candidates (Redis-nearest first, at most ARGV[4] unless it
/// is 0) plus each candidate's exact position from the companion hash, one HMGET per 1,000.
/// KEYS: geo set, exact hash. ARGV: lon, lat, search radius km, count (0 = all).
/// Returns a flat list: member, Redis distance (km), "lat,lon" (the exact position, or the
/// geohash position for a member the hash lacks, e.g. one written by another tool).
///
/// Redis runs a script alone, so its cost is every API process's wait: WITHCOORD (decoding
/// every geohash) and one HGET call per member made this read 7x slower (788 members).
const SEARCH_SCRIPT: &str = r"
local args = {'GEOSEARCH', KEYS[1], 'FROMLONLAT', ARGV[1], ARGV[2], 'BYRADIUS', ARGV[3], 'km', 'ASC'}
if ARGV[4] ~= '0' then
  args[#args + 1] = 'COUNT'
  args[#args + 1] = ARGV[4]
end
args[#args + 1] = 'WITHDIST'
local found = redis.call(unpack(args))
local out = {}
for first = 1, #found, 1000 do
  local members = {}
  for i = first, math.min(first + 999, #found) do
    members[#members + 1] = found[i][1]
  end
  local exact = redis.call('HMGET', KEYS[2], unpack(members))
  for j, member in ipairs(members) do
    local at = exact[j]
    if not at then
      local pos = redis.call('GEOPOS', KEYS[1], member)[1]
      at = pos[2] .. ',' .. pos[1]
    end
    out[#out + 1] = member
    out[#out + 1] = found[first + j - 1][2]
    out[#out + 1] = at
  end
end
return out
";

/// Swaps freshly built keys in. KEYS: geo set, exact hash, built geo set, built exact hash.
/// Checks first, so it either swaps both or changes nothing.
const SWAP_SCRIPT: &str = r"
if redis.call('EXISTS', KEYS[3]) == 0 or redis.call('EXISTS', KEYS[4]) == 0 then
  return redis.error_reply('geo index build keys are missing (expired?)')
end
redis.call('RENAME', KEYS[3], KEYS[1])
redis.call('PERSIST', KEYS[1])
redis.call('RENAME', KEYS[4], KEYS[2])
redis.call('PERSIST', KEYS[2])
return 1
";

/// The production index: a Redis GEO set at `key` (member = shift id) for the spatial search,
/// plus a hash at `{key}:exact` (shift id -> "lat,lon", exact f64s) for the distances.
///
/// Every write touches both keys in one MULTI/EXEC or Lua script, and `within` reads both in one
/// script, so readers never see them disagree. The companion and build keys put `key` in a hash
/// tag (`{key}:...`), so they share its Redis Cluster slot as long as `key` has no braces itself.
#[derive(Clone)]
pub struct RedisShiftIndex {
    connection: redis::aio::ConnectionManager,
    key: String,
    exact_key: String,
}

impl std::fmt::Debug for RedisShiftIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisShiftIndex")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

fn unavailable(error: redis::RedisError) -> IndexError {
    IndexError::Unavailable(error.to_string())
}

/// Redis rejects what it cannot store; check beforehand so a write never half-happens.
fn check_storable(shift_id: Uuid, at: &Coordinates) -> Result<(), IndexError> {
    if at.lat.is_finite()
        && at.lon.is_finite()
        && (-REDIS_MAX_LAT..=REDIS_MAX_LAT).contains(&at.lat)
        && (-180.0..=180.0).contains(&at.lon)
    {
        Ok(())
    } else {
        Err(IndexError::Unavailable(format!(
            "shift {shift_id} at lat {} lon {} cannot be stored in a Redis GEO set \
             (latitude must be within ±{REDIS_MAX_LAT}, longitude within ±180)",
            at.lat, at.lon
        )))
    }
}

/// `Display` of an f64 is the shortest string that parses back to the same bits.
fn encode_position(at: &Coordinates) -> String {
    format!("{},{}", at.lat, at.lon)
}

fn decode_position(text: &str) -> Option<Coordinates> {
    let (lat, lon) = text.split_once(',')?;
    Some(Coordinates {
        lat: lat.trim().parse().ok()?,
        lon: lon.trim().parse().ok()?,
    })
}

/// Where Redis should search from for `center`, which it may not accept as is: Redis rejects
/// latitudes beyond ±85.05112878 (so search from the nearest one it accepts, with a radius
/// grown by the gap) and misses members across the antimeridian when searching from longitude
/// exactly 180 (so search from -180, the same meridian). `None` for a center that is no place.
fn redis_search_center(center: Coordinates) -> Option<Coordinates> {
    if !center.lat.is_finite() || !center.lon.is_finite() {
        return None;
    }
    Some(Coordinates {
        lat: center.lat.clamp(-REDIS_MAX_LAT, REDIS_MAX_LAT),
        lon: if (-180.0..180.0).contains(&center.lon) {
            center.lon
        } else {
            (center.lon + 180.0).rem_euclid(360.0) - 180.0
        },
    })
}

/// One candidate from the search script.
struct Candidate {
    id: Uuid,
    redis_km: f64,
    at: Coordinates,
}

impl RedisShiftIndex {
    /// An index stored at `key` (and `{key}:exact`, and `{key}:build:*` while rebuilding).
    pub fn new(connection: redis::aio::ConnectionManager, key: String) -> Self {
        let exact_key = format!("{{{key}}}:exact");
        Self {
            connection,
            key,
            exact_key,
        }
    }

    /// Runs the search script: candidates within `search_km` by Redis' own measure, the
    /// `count` Redis-nearest of them (all when `count` is `None`).
    async fn candidates(
        &self,
        center: Coordinates,
        search_km: f64,
        count: Option<usize>,
    ) -> Result<Vec<Candidate>, IndexError> {
        let flat: Vec<String> = redis::cmd("EVAL")
            .arg(SEARCH_SCRIPT)
            .arg(2)
            .arg(&self.key)
            .arg(&self.exact_key)
            .arg(center.lon)
            .arg(center.lat)
            .arg(search_km)
            .arg(count.unwrap_or(0))
            .query_async(&mut self.connection.clone())
            .await
            .map_err(unavailable)?;
        flat.chunks_exact(3)
            .map(|item| {
                let malformed =
                    || IndexError::Unavailable(format!("malformed geo index entry {item:?}"));
                Ok(Candidate {
                    id: item[0].parse().map_err(|_| malformed())?,
                    redis_km: item[1].parse().map_err(|_| malformed())?,
                    at: decode_position(&item[2]).ok_or_else(malformed)?,
                })
            })
            .collect()
    }

    /// `within`, starting with `first_count` candidates (tests start tiny to force refetches).
    ///
    /// Redis orders by its own, slightly different distance, so its `COUNT` nearest are not
    /// necessarily our `limit` nearest. We fetch `first_count` candidates, re-measure and re-sort
    /// them exactly, and accept the first `limit` only if it provably cannot miss anything:
    /// every candidate Redis did not return is at least as far, by Redis' measure, as the
    /// farthest it did return, which bounds its exact distance from below; if our cut-off (the
    /// `limit`-th exact distance, or the radius when fewer were found) lies strictly below that
    /// bound, nothing unreturned could enter the answer, ties included. Otherwise fetch 4x as
    /// many and retry; a fetch that returns fewer than asked has returned everything. Each answer
    /// comes from a single script run, i.e. from one consistent state of the index.
    async fn search(
        &self,
        center: Coordinates,
        radius_km: f64,
        limit: usize,
        first_count: usize,
    ) -> Result<Vec<(Uuid, f64)>, IndexError> {
        if !answerable(radius_km, limit) {
            return Ok(Vec::new());
        }
        let Some(from) = redis_search_center(center) else {
            return Ok(Vec::new());
        };
        // Searching from `from` instead of `center` moves every distance by at most `offset_km`.
        let offset_km = center.distance_km(&from);
        // A superset of everything within radius_km exactly: Redis' distance exceeds ours by
        // the radius ratio (1.00028) plus the geohash error at most.
        let search_km = (radius_km + offset_km) * 1.001 + 0.01;
        let mut count = first_count.max(1);
        loop {
            let fetch = (count < FETCH_ALL_ABOVE).then_some(count);
            let candidates = self.candidates(from, search_km, fetch).await?;
            let complete = fetch.is_none_or(|n| candidates.len() < n);
            let farthest_redis_km = candidates
                .iter()
                .map(|c| c.redis_km)
                .fold(0.0_f64, f64::max);
            let mut found: Vec<(Uuid, f64)> = candidates
                .into_iter()
                .map(|c| (c.id, center.distance_km(&c.at)))
                .filter(|(_, km)| *km <= radius_km)
                .collect();
            found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            // Ids are unique in a sorted set; dedup only guards against a malformed reply.
            found.dedup_by_key(|(id, _)| *id);
            let cut_off_km = found.get(limit - 1).map_or(radius_km, |(_, km)| *km);
            let unreturned_at_least_km = (farthest_redis_km - WITHDIST_ROUNDING_KM)
                * (OUR_EARTH_RADIUS_KM / REDIS_EARTH_RADIUS_KM)
                - GEOHASH_ERROR_KM
                - offset_km;
            if complete || cut_off_km < unreturned_at_least_km {
                found.truncate(limit);
                return Ok(found);
            }
            count = count.saturating_mul(4);
        }
    }
}

#[async_trait::async_trait]
impl OpenShiftIndex for RedisShiftIndex {
    async fn upsert(&self, shift_id: Uuid, location: Coordinates) -> Result<(), IndexError> {
        check_storable(shift_id, &location)?;
        let member = shift_id.to_string();
        redis::pipe()
            .atomic()
            .cmd("GEOADD")
            .arg(&self.key)
            .arg(location.lon)
            .arg(location.lat)
            .arg(&member)
            .ignore()
            .cmd("HSET")
            .arg(&self.exact_key)
            .arg(&member)
            .arg(encode_position(&location))
            .ignore()
            .query_async::<()>(&mut self.connection.clone())
            .await
            .map_err(unavailable)
    }

    async fn remove(&self, shift_id: Uuid) -> Result<(), IndexError> {
        let member = shift_id.to_string();
        redis::pipe()
            .atomic()
            .cmd("ZREM")
            .arg(&self.key)
            .arg(&member)
            .ignore()
            .cmd("HDEL")
            .arg(&self.exact_key)
            .arg(&member)
            .ignore()
            .query_async::<()>(&mut self.connection.clone())
            .await
            .map_err(unavailable)
    }

    async fn within(
        &self,
        center: Coordinates,
        radius_km: f64,
        limit: usize,
    ) -> Result<Vec<(Uuid, f64)>, IndexError> {
        // A margin over `limit` so that near-ties at the cut-off rarely need a second round trip.
        let first_count = limit.saturating_add(limit / 4).saturating_add(32);
        self.search(center, radius_km, limit, first_count).await
    }

    async fn replace_all(&self, shifts: Vec<(Uuid, Coordinates)>) -> Result<(), IndexError> {
        for (id, at) in &shifts {
            check_storable(*id, at)?;
        }
        let mut connection = self.connection.clone();
        if shifts.is_empty() {
            return redis::cmd("DEL")
                .arg(&self.key)
                .arg(&self.exact_key)
                .query_async::<()>(&mut connection)
                .await
                .map_err(unavailable);
        }
        let build_key = format!("{{{}}}:build:{}", self.key, Uuid::new_v4());
        let build_exact_key = format!("{build_key}:exact");
        let built = async {
            // Later duplicates of an id overwrite earlier ones, as in the in-process index.
            for batch in shifts.chunks(BATCH) {
                let mut geoadd = redis::cmd("GEOADD");
                geoadd.arg(&build_key);
                let mut hset = redis::cmd("HSET");
                hset.arg(&build_exact_key);
                for (id, at) in batch {
                    let member = id.to_string();
                    geoadd.arg(at.lon).arg(at.lat).arg(&member);
                    hset.arg(&member).arg(encode_position(at));
                }
                redis::pipe()
                    .add_command(geoadd)
                    .ignore()
                    .add_command(hset)
                    .ignore()
                    .cmd("EXPIRE")
                    .arg(&build_key)
                    .arg(BUILD_TTL_SECONDS)
                    .ignore()
                    .cmd("EXPIRE")
                    .arg(&build_exact_key)
                    .arg(BUILD_TTL_SECONDS)
                    .ignore()
                    .query_async::<()>(&mut connection)
                    .await?;
            }
            redis::cmd("EVAL")
                .arg(SWAP_SCRIPT)
                .arg(4)
                .arg(&self.key)
                .arg(&self.exact_key)
                .arg(&build_key)
                .arg(&build_exact_key)
                .query_async::<()>(&mut connection)
                .await
        }
        .await;
        if let Err(error) = built {
            // Best effort: the TTL removes them anyway.
            let _ = redis::cmd("DEL")
                .arg(&build_key)
                .arg(&build_exact_key)
                .query_async::<()>(&mut connection)
                .await;
            return Err(unavailable(error));
        }
        Ok(())
    }

    async fn len(&self) -> Result<usize, IndexError> {
        redis::cmd("ZCARD")
            .arg(&self.key)
            .query_async(&mut self.connection.clone())
            .await
            .map_err(unavailable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use std::collections::HashMap;
    use std::sync::Arc;

    fn at(lat: f64, lon: f64) -> Coordinates {
        Coordinates { lat, lon }
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    // ---- Redis fixture ------------------------------------------------------------------------

    /// A Redis index under a unique key; deletes every key it made when dropped (also when the
    /// test panics). `None` (after saying so) when no test Redis is configured.
    struct RedisFixture {
        client: redis::Client,
        prefix: String,
        index: RedisShiftIndex,
    }

    impl RedisFixture {
        async fn new(test: &str) -> Option<Self> {
            let Ok(url) = std::env::var("HOURBOOK_TEST_REDIS_URL") else {
                if std::env::var("HOURBOOK_REQUIRE_ALL_BACKENDS").as_deref() == Ok("1") {
                    panic!(
                        "{test}: HOURBOOK_REQUIRE_ALL_BACKENDS=1 but HOURBOOK_TEST_REDIS_URL is \
                         not set; point it at a Redis (e.g. redis://127.0.0.1:6379)"
                    );
                }
                println!("{test}: Redis part skipped (set HOURBOOK_TEST_REDIS_URL to run it)");
                return None;
            };
            let client = redis::Client::open(url.as_str())
                .unwrap_or_else(|e| panic!("{test}: bad HOURBOOK_TEST_REDIS_URL {url}: {e}"));
            let connection = client
                .get_connection_manager()
                .await
                .unwrap_or_else(|e| panic!("{test}: cannot connect to Redis at {url}: {e}"));
            let prefix = format!("hourbook-test:open-shifts:{}", Uuid::new_v4());
            let index = RedisShiftIndex::new(connection, prefix.clone());
            Some(Self {
                client,
                prefix,
                index,
            })
        }

        /// Every key of this test: the set, `{set}:exact` and any `{set}:build:*`.
        fn keys(&self) -> Vec<String> {
            let mut connection = self.client.get_connection().expect("redis connection");
            redis::cmd("KEYS")
                .arg(format!("*{}*", self.prefix))
                .query(&mut connection)
                .expect("KEYS")
        }
    }

    impl Drop for RedisFixture {
        fn drop(&mut self) {
            let keys = self.keys();
            if !keys.is_empty() {
                let mut connection = self.client.get_connection().expect("redis connection");
                let _: () = redis::cmd("DEL")
                    .arg(keys)
                    .query(&mut connection)
                    .expect("DEL");
            }
        }
    }

    // ---- shared behaviour ---------------------------------------------------------------------

    /// The basic contract, run against each implementation.
    async fn exercise_basics(index: &dyn OpenShiftIndex) {
        let home = at(31.24, 121.40);
        assert_eq!(index.len().await.unwrap(), 0);
        assert!(index.within(home, 5.0, 10).await.unwrap().is_empty());

        index.upsert(id(1), home).await.unwrap();
        index.upsert(id(2), at(31.25, 121.40)).await.unwrap(); // ~1.1 km north
        index.upsert(id(3), at(31.24, 121.40)).await.unwrap(); // same place as 1
        assert_eq!(index.len().await.unwrap(), 3);
        let hits = index.within(home, 5.0, 10).await.unwrap();
        let ids: Vec<Uuid> = hits.iter().map(|(i, _)| *i).collect();
        assert_eq!(ids, [id(1), id(3), id(2)], "nearest first, ties by id");
        assert_eq!(hits[0].1, 0.0);
        assert!((hits[2].1 - 1.112).abs() < 0.001, "{hits:?}");
        assert_eq!(index.within(home, 5.0, 2).await.unwrap(), hits[..2]);
        assert!(index.within(home, 5.0, 0).await.unwrap().is_empty());
        assert!(index.within(home, -1.0, 10).await.unwrap().is_empty());
        assert!(index.within(home, f64::NAN, 10).await.unwrap().is_empty());
        assert!(
            index
                .within(home, f64::INFINITY, 10)
                .await
                .unwrap()
                .is_empty()
        );
        // The boundary is inclusive.
        let exactly = hits[2].1;
        assert_eq!(index.within(home, exactly, 10).await.unwrap().len(), 3);
        assert_eq!(
            index.within(home, exactly * 0.999, 10).await.unwrap().len(),
            2
        );

        // Moving a shift.
        index.upsert(id(3), at(31.50, 121.40)).await.unwrap();
        assert_eq!(index.len().await.unwrap(), 3);
        let ids: Vec<Uuid> = index
            .within(home, 5.0, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        assert_eq!(ids, [id(1), id(2)]);

        // Removing, twice, and an unknown id.
        index.remove(id(1)).await.unwrap();
        index.remove(id(1)).await.unwrap();
        index.remove(id(99)).await.unwrap();
        assert_eq!(index.len().await.unwrap(), 2);

        // Replacing everything.
        index
            .replace_all(vec![
                (id(10), home),
                (id(11), at(31.26, 121.41)),
                (id(10), at(31.241, 121.40)), // a later duplicate wins
            ])
            .await
            .unwrap();
        assert_eq!(index.len().await.unwrap(), 2);
        let hits = index.within(home, 50.0, 10).await.unwrap();
        assert_eq!(hits.len(), 2);
        assert_eq!(hits[0].0, id(10));
        assert!((hits[0].1 - 0.1112).abs() < 0.001, "{hits:?}");
        assert_eq!(hits[1].0, id(11));
        assert!(!index.is_empty().await.unwrap());
        index.replace_all(Vec::new()).await.unwrap();
        assert!(index.is_empty().await.unwrap());
        assert!(index.within(home, 50.0, 10).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn open_shifts_in_process_basics() {
        exercise_basics(&InProcessShiftIndex::new()).await;
    }

    #[tokio::test]
    async fn open_shifts_redis_basics() {
        let Some(redis) = RedisFixture::new("open_shifts_redis_basics").await else {
            return;
        };
        exercise_basics(&redis.index).await;
        // Nothing left behind but (at most) the two keys of the index itself.
        assert!(redis.keys().len() <= 2, "{:?}", redis.keys());
    }

    #[tokio::test]
    async fn open_shifts_redis_finds_a_member_without_an_exact_position() {
        let Some(redis) = RedisFixture::new("open_shifts_redis_finds_a_member_without_exact").await
        else {
            return;
        };
        let home = at(31.24, 121.40);
        redis.index.upsert(id(1), home).await.unwrap();
        // Another tool adds a member to the GEO set alone, ~1.1 km north.
        let mut connection = redis.client.get_connection().expect("redis connection");
        let _: () = redis::cmd("GEOADD")
            .arg(&redis.index.key)
            .arg(121.40)
            .arg(31.25)
            .arg(id(2).to_string())
            .query(&mut connection)
            .expect("GEOADD");
        let hits = redis.index.within(home, 5.0, 10).await.unwrap();
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert_eq!(hits[0], (id(1), 0.0), "the exact position");
        assert_eq!(hits[1].0, id(2));
        assert!(
            (hits[1].1 - 1.112).abs() < 0.01,
            "the geohash position, within its error: {hits:?}"
        );
    }

    #[tokio::test]
    async fn open_shifts_redis_rejects_unstorable_positions_without_half_writing() {
        let Some(redis) = RedisFixture::new("open_shifts_redis_rejects_unstorable").await else {
            return;
        };
        let index = &redis.index;
        index.upsert(id(1), at(31.0, 121.0)).await.unwrap();
        assert!(index.upsert(id(2), at(89.0, 0.0)).await.is_err());
        assert!(index.upsert(id(2), at(f64::NAN, 0.0)).await.is_err());
        let err = index
            .replace_all(vec![(id(3), at(10.0, 10.0)), (id(4), at(-88.0, 10.0))])
            .await
            .unwrap_err();
        assert!(err.to_string().contains("cannot be stored"), "{err}");
        assert_eq!(index.len().await.unwrap(), 1);
        assert_eq!(redis.keys().len(), 2, "the set and its exact positions");
    }

    /// What `within` must return, by brute force over the live shifts.
    fn brute_force(
        live: &HashMap<Uuid, Coordinates>,
        center: Coordinates,
        radius_km: f64,
        limit: usize,
    ) -> Vec<(Uuid, f64)> {
        let mut all: Vec<(Uuid, f64)> = live
            .iter()
            .map(|(i, p)| (*i, center.distance_km(p)))
            .filter(|(_, km)| *km <= radius_km)
            .collect();
        all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        all.truncate(limit);
        all
    }

    fn assert_same(context: &str, expected: &[(Uuid, f64)], actual: &[(Uuid, f64)]) {
        let ids = |v: &[(Uuid, f64)]| v.iter().map(|(i, _)| *i).collect::<Vec<_>>();
        assert_eq!(ids(expected), ids(actual), "{context}: ids differ");
        for ((_, want), (_, got)) in expected.iter().zip(actual) {
            assert!(
                (want - got).abs() <= 1e-6,
                "{context}: {want} km vs {got} km"
            );
        }
    }

    /// Builds the same history in every index: a bulk load, single upserts, moves and removals.
    /// Returns the shifts that should be live at the end.
    async fn load_shanghai(
        indexes: &[&dyn OpenShiftIndex],
        rng: &mut ChaCha8Rng,
    ) -> HashMap<Uuid, Coordinates> {
        let (lat0, lon0) = (31.23, 121.43);
        // ~30 km: 0.27 deg of latitude, 0.31 deg of longitude at this latitude.
        let random_spot = |rng: &mut ChaCha8Rng| {
            at(
                lat0 + rng.gen_range(-0.27..0.27),
                lon0 + rng.gen_range(-0.31..0.31),
            )
        };
        let mut shifts: Vec<(Uuid, Coordinates)> = Vec::new();
        let mut next = 0u128;
        let mut new_id = || {
            next += 1;
            // Spread ids over the whole range so id order is unrelated to insertion order.
            Uuid::from_u128(next.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835))
        };
        for _ in 0..2_500 {
            shifts.push((new_id(), random_spot(rng)));
        }
        // Ties: several shifts at the same venue.
        let venues: Vec<Coordinates> = (0..40).map(|_| random_spot(rng)).collect();
        for i in 0..200 {
            shifts.push((new_id(), venues[i % venues.len()]));
        }
        // A tight cluster (within ~1 m) where Redis' geohash order differs from the exact one.
        let cluster = at(31.2001, 121.4001);
        for _ in 0..150 {
            let jitter = at(
                cluster.lat + rng.gen_range(-0.000_01..0.000_01),
                cluster.lon + rng.gen_range(-0.000_01..0.000_01),
            );
            shifts.push((new_id(), jitter));
        }
        let mut live: HashMap<Uuid, Coordinates> = shifts.iter().copied().collect();
        for index in indexes {
            index.replace_all(shifts.clone()).await.unwrap();
        }
        // Later single upserts.
        for _ in 0..500 {
            let (i, p) = (new_id(), random_spot(rng));
            live.insert(i, p);
            for index in indexes {
                index.upsert(i, p).await.unwrap();
            }
        }
        let mut ids: Vec<Uuid> = live.keys().copied().collect();
        ids.sort();
        // Moves (some onto a venue, making new ties).
        for _ in 0..300 {
            let i = ids[rng.gen_range(0..ids.len())];
            let p = if rng.gen_bool(0.2) {
                venues[rng.gen_range(0..venues.len())]
            } else {
                random_spot(rng)
            };
            live.insert(i, p);
            for index in indexes {
                index.upsert(i, p).await.unwrap();
            }
        }
        // Removals.
        for _ in 0..200 {
            let i = ids[rng.gen_range(0..ids.len())];
            live.remove(&i);
            for index in indexes {
                index.remove(i).await.unwrap();
            }
        }
        live
    }

    #[tokio::test]
    async fn open_shifts_in_process_and_redis_answer_the_same() {
        let redis = RedisFixture::new("open_shifts_in_process_and_redis_answer_the_same").await;
        let in_process = InProcessShiftIndex::new();
        let mut indexes: Vec<&dyn OpenShiftIndex> = vec![&in_process];
        if let Some(r) = &redis {
            indexes.push(&r.index);
        }
        let mut rng = ChaCha8Rng::seed_from_u64(20_240_611);
        let live = load_shanghai(&indexes, &mut rng).await;
        for index in &indexes {
            assert_eq!(index.len().await.unwrap(), live.len(), "{index:?}");
        }
        let mut positions: Vec<Coordinates> = live.values().copied().collect();
        positions.sort_by(|a, b| a.lat.total_cmp(&b.lat).then(a.lon.total_cmp(&b.lon)));

        let mut refetch_checked = 0;
        for round in 0..600 {
            let center = match round % 4 {
                // Centred on a shift (distance 0, and often ties).
                0 => positions[rng.gen_range(0..positions.len())],
                // Inside the cluster.
                1 if round % 8 == 1 => at(
                    31.2001 + rng.gen_range(-0.000_02..0.000_02),
                    121.4001 + rng.gen_range(-0.000_02..0.000_02),
                ),
                _ => at(
                    31.23 + rng.gen_range(-0.3..0.3),
                    121.43 + rng.gen_range(-0.35..0.35),
                ),
            };
            let radius_km = if round % 5 == 0 {
                // Exactly the distance of some shift: the inclusive boundary must agree.
                center
                    .distance_km(&positions[rng.gen_range(0..positions.len())])
                    .min(20.0)
            } else {
                rng.gen_range(0.5..20.0)
            };
            let limit = match round % 10 {
                0 => usize::MAX,
                1 => 1,
                _ => rng.gen_range(1..=500),
            };
            let context = format!("round {round}: {center:?} r={radius_km} limit={limit}");
            let expected = brute_force(&live, center, radius_km, limit);
            for index in &indexes {
                let got = index.within(center, radius_km, limit).await.unwrap();
                assert_same(&format!("{context} {index:?}"), &expected, &got);
            }
            // Starting Redis with a single candidate forces the refetch path every time.
            if let Some(r) = &redis
                && round % 3 == 0
            {
                let got = r.index.search(center, radius_km, limit, 1).await.unwrap();
                assert_same(&format!("{context} first_count=1"), &expected, &got);
                refetch_checked += 1;
            }
        }
        if redis.is_some() {
            assert!(refetch_checked > 100);
        }
    }

    #[tokio::test]
    async fn open_shifts_both_search_across_the_antimeridian() {
        let redis = RedisFixture::new("open_shifts_both_search_across_the_antimeridian").await;
        let in_process = InProcessShiftIndex::new();
        let mut indexes: Vec<&dyn OpenShiftIndex> = vec![&in_process];
        if let Some(r) = &redis {
            indexes.push(&r.index);
        }
        let shifts = vec![
            (id(1), at(-16.5, 179.99)),
            (id(2), at(-16.5, -179.99)),
            (id(3), at(-16.51, 179.95)),
            (id(4), at(-16.5, 178.0)),
        ];
        let live: HashMap<Uuid, Coordinates> = shifts.iter().copied().collect();
        for index in &indexes {
            index.replace_all(shifts.clone()).await.unwrap();
        }
        for center in [at(-16.5, -179.999), at(-16.5, 180.0), at(-16.5, 179.97)] {
            let expected = brute_force(&live, center, 10.0, 10);
            assert_eq!(expected.len(), 3);
            for index in &indexes {
                let got = index.within(center, 10.0, 10).await.unwrap();
                assert_same(&format!("{center:?} {index:?}"), &expected, &got);
            }
        }
    }

    #[tokio::test]
    async fn open_shifts_both_search_from_where_redis_cannot_store() {
        let redis =
            RedisFixture::new("open_shifts_both_search_from_where_redis_cannot_store").await;
        let in_process = InProcessShiftIndex::new();
        let mut indexes: Vec<&dyn OpenShiftIndex> = vec![&in_process];
        if let Some(r) = &redis {
            indexes.push(&r.index);
        }
        let shifts: Vec<(Uuid, Coordinates)> = (0..72u32)
            .map(|i| (id(u128::from(i)), at(84.9, f64::from(i) * 5.0 - 180.0)))
            .chain([(id(100), at(85.0, 10.0)), (id(101), at(-85.0, 10.0))])
            .collect();
        let live: HashMap<Uuid, Coordinates> = shifts.iter().copied().collect();
        for index in &indexes {
            index.replace_all(shifts.clone()).await.unwrap();
        }
        for (center, radius_km, limit) in [
            (at(88.0, 0.0), 400.0, 1_000),
            (at(88.0, 0.0), 400.0, 7),
            (at(90.0, 0.0), 600.0, 1_000),
            (at(-89.0, 10.0), 500.0, 1_000),
            (at(84.9, 190.0), 30.0, 1_000), // 190 is -170
            (at(84.9, -540.0), 30.0, 1_000),
        ] {
            let expected = brute_force(&live, center, radius_km, limit);
            assert!(!expected.is_empty(), "{center:?}");
            for index in &indexes {
                let got = index.within(center, radius_km, limit).await.unwrap();
                assert_same(&format!("{center:?} {index:?}"), &expected, &got);
            }
        }
        let nowhere = at(f64::NAN, 0.0);
        for index in &indexes {
            assert!(index.within(nowhere, 10.0, 10).await.unwrap().is_empty());
        }
    }

    /// Readers racing a rebuild see the old set or the new one, never a mix or a partial one.
    async fn exercise_replace_all_atomicity(index: Arc<dyn OpenShiftIndex>) {
        let old: Vec<(Uuid, Coordinates)> = (0..2_000u32)
            .map(|i| {
                let f = f64::from(i);
                (id(u128::from(i)), at(31.2 + f * 0.000_03, 121.4))
            })
            .collect();
        let new: Vec<(Uuid, Coordinates)> = (0..3_000u32)
            .map(|i| {
                let f = f64::from(i);
                (
                    id(1_000_000 + u128::from(i)),
                    at(31.2, 121.4 + f * 0.000_03),
                )
            })
            .collect();
        index.replace_all(old.clone()).await.unwrap();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = {
            let index = index.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut reads = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) || reads < 5 {
                    let len = index.len().await.unwrap();
                    assert!(len == 2_000 || len == 3_000, "len {len}");
                    let hits = index
                        .within(at(31.2, 121.4), 50.0, usize::MAX)
                        .await
                        .unwrap();
                    let olds = hits.iter().filter(|(i, _)| i.as_u128() < 1_000_000).count();
                    assert!(
                        (olds == 2_000 && hits.len() == 2_000)
                            || (olds == 0 && hits.len() == 3_000),
                        "a mixed or partial read: {olds} old of {}",
                        hits.len()
                    );
                    reads += 1;
                    tokio::task::yield_now().await;
                }
                reads
            })
        };
        for round in 0..6 {
            let set = if round % 2 == 0 { &new } else { &old };
            index.replace_all(set.clone()).await.unwrap();
            assert_eq!(index.len().await.unwrap(), set.len());
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(reader.await.unwrap() >= 5);
        // The last rebuild installed `old`: only its members are there.
        let hits = index
            .within(at(31.2, 121.4), 50.0, usize::MAX)
            .await
            .unwrap();
        assert_eq!(hits.len(), 2_000);
        assert!(hits.iter().all(|(i, _)| i.as_u128() < 2_000));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn open_shifts_in_process_replace_all_is_atomic() {
        exercise_replace_all_atomicity(Arc::new(InProcessShiftIndex::new())).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn open_shifts_redis_replace_all_is_atomic() {
        let Some(redis) = RedisFixture::new("open_shifts_redis_replace_all_is_atomic").await else {
            return;
        };
        exercise_replace_all_atomicity(Arc::new(redis.index.clone())).await;
        assert_eq!(
            redis.keys().len(),
            2,
            "no build keys left: {:?}",
            redis.keys()
        );
    }
}
