// Nightly ETL: pull one day of orders from the shop API, normalise them and
// upsert them into the warehouse. Safe to re-run for the same day.

import { readFile } from "node:fs/promises";
import { Pool } from "pg";
import { parse } from "yaml";

interface RawOrder {
  id: string;
  created_at: string;
  region: string;
  lines: { sku: string; quantity: number; unit_price: string }[];
}

export interface OrderRow {
  order_id: string;
  order_date: string;
  region: string;
  units: number;
  revenue_cents: number;
}

interface Config {
  source: { url: string; page_size: number; max_retries: number };
  warehouse: { table: string; batch_size: number };
  regions: Record<string, string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function fetchWithRetry(url: string, retries: number): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, { headers: { Authorization: `Bearer ${process.env.SHOP_TOKEN}` } });
    if (response.ok || response.status < 500 || attempt >= retries) return response;
    await sleep(2 ** attempt * 500);
  }
}

export async function* extract(config: Config, day: string): AsyncGenerator<RawOrder> {
  let cursor: string | null = null;
  do {
    const url = new URL(config.source.url);
    url.searchParams.set("date", day);
    url.searchParams.set("limit", String(config.source.page_size));
    if (cursor) url.searchParams.set("cursor", cursor);
    const response = await fetchWithRetry(url.toString(), config.source.max_retries);
    if (!response.ok) throw new Error(`shop API answered ${response.status} for ${day}`);
    const page = (await response.json()) as { orders: RawOrder[]; next_cursor: string | null };
    yield* page.orders;
    cursor = page.next_cursor;
  } while (cursor);
}

export function transform(order: RawOrder, regions: Config["regions"]): OrderRow {
  return {
    order_id: order.id,
    order_date: order.created_at.slice(0, 10),
    region: regions[order.region] ?? "Unknown",
    units: order.lines.reduce((sum, line) => sum + line.quantity, 0),
    revenue_cents: order.lines.reduce((sum, line) => sum + Math.round(Number(line.unit_price) * 100) * line.quantity, 0),
  };
}

export async function load(pool: Pool, table: string, rows: OrderRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.flatMap((r) => [r.order_id, r.order_date, r.region, r.units, r.revenue_cents]);
  const tuples = rows.map((_, i) => `($${i * 5 + 1}, $${i * 5 + 2}, $${i * 5 + 3}, $${i * 5 + 4}, $${i * 5 + 5})`);
  await pool.query(
    `INSERT INTO ${table} (order_id, order_date, region, units, revenue_cents)
     VALUES ${tuples.join(", ")}
     ON CONFLICT (order_id) DO UPDATE SET units = EXCLUDED.units, revenue_cents = EXCLUDED.revenue_cents`,
    values,
  );
}

export async function run(day: string, configPath = "config/pipeline.yaml"): Promise<number> {
  const config = parse(await readFile(configPath, "utf8")) as Config;
  const dryRun = process.env.ETL_DRY_RUN === "1";
  const pool = new Pool({ connectionString: process.env.WAREHOUSE_URL });
  let batch: OrderRow[] = [];
  let loaded = 0;
  const flush = async () => {
    if (!dryRun) await load(pool, config.warehouse.table, batch);
    loaded += batch.length;
    batch = [];
  };
  try {
    for await (const order of extract(config, day)) {
      batch.push(transform(order, config.regions));
      if (batch.length >= config.warehouse.batch_size) await flush();
    }
    await flush();
    return loaded;
  } finally {
    await pool.end();
  }
}

run(process.argv[2] ?? new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)).then(
  (count) => console.log(`${process.env.ETL_DRY_RUN === "1" ? "dry run: would load" : "loaded"} ${count} orders`),
  (error) => {
    console.error(error);
    process.exitCode = 1;
  },
);
