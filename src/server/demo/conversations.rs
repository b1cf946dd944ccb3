//! The demo conversations, oldest first: each tool result's output and the
//! files it made, which are real files under `files/<conversation>/`.
//!
//! The sales files (CSV, TSV, chart, report, PDF and notes) were made once
//! from one generated order list, so their numbers agree; the outputs below
//! quote those numbers and sizes.

use super::{Conversation, DemoResult};

/// `(artifact name, bytes)` of files under `files/$dir/`, built into the binary.
macro_rules! files {
    ($dir:literal: $($name:literal),+ $(,)?) => {
        &[$(($name, include_bytes!(concat!("files/", $dir, "/", $name)) as &[u8])),+]
    };
}

pub const CONVERSATIONS: &[Conversation] = &[
    Conversation {
        title: "Quarterly sales analysis",
        results: &[
            DemoResult {
                tool: "python_exec",
                output: ">>> orders = pd.read_excel(\"orders_2024.xlsx\")\n\
                         Loaded 300 orders from 2024-01-01 to 2024-12-31 (7 columns).\n\
                         Dropped 0 duplicates, 0 rows without revenue.\n\
                         Total revenue: $348,431\n\
                         Wrote data/sales_2024.csv (16554 bytes) and data/region_targets.tsv",
                files: files!("sales": "data/sales_2024.csv", "data/region_targets.tsv"),
            },
            DemoResult {
                tool: "python_exec",
                output: "$ python analysis.py data/sales_2024.csv\n\
                         region       North     South      East      West     total\n\
                         quarter\n\
                         Q1         18762.0   11060.0   13456.0   20799.0   64077.0\n\
                         Q2         21802.0    9475.0   19115.0   30368.0   80760.0\n\
                         Q3         28916.0   16099.0   33799.0   11221.0   90035.0\n\
                         Q4         19981.0   19599.0   30238.0   43741.0  113559.0\n\
                         Saved plots/quarterly_revenue.png (800x500)",
                files: files!("sales": "analysis.py", "plots/quarterly_revenue.png"),
            },
            DemoResult {
                tool: "code_exec",
                output: "Dry run against warehouse schema sales.orders: OK (16 rows, 0.41 s).\n\
                         The query matches the pandas numbers to the cent.",
                files: files!("sales": "queries/revenue_by_region.sql"),
            },
            DemoResult {
                tool: "template_render",
                output: "Rendered quarterly_report.html.j2 -> report.html\nRendered summary.pdf (1 page, Letter)",
                files: files!("sales": "report.html", "summary.pdf"),
            },
            DemoResult {
                tool: "python_exec",
                output: "Wrote notes.txt: talking points for Friday's review.",
                files: files!("sales": "notes.txt"),
            },
        ],
    },
    Conversation {
        title: "Landing page draft",
        results: &[
            DemoResult {
                tool: "image_generation",
                output: "Generated 1 image (960x480, lossless WebP).\n\
                         Prompt: abstract hero background, indigo to sky-blue gradient, floating dashboard cards, \
                         soft glows",
                files: files!("landing": "landing/hero.webp"),
            },
            DemoResult {
                tool: "template_render",
                output: "Rendered brand/wordmark.svg.j2 -> landing/logo.svg (520x160)",
                files: files!("landing": "landing/logo.svg"),
            },
            DemoResult {
                tool: "code_exec",
                output: "$ npx stylelint landing/styles.css\nNo problems found.\n\
                         $ node --check landing/app.js\n\
                         $ xmllint --noout landing/sitemap.xml\nlanding/sitemap.xml validates",
                files: files!("landing": "landing/styles.css", "landing/app.js", "landing/sitemap.xml"),
            },
            DemoResult {
                tool: "template_render",
                output: "Rendered probe.html: it tries to call the artifacts API and to read cookies \
                         from inside the preview, and prints what it got, so we can see what the sandbox allows.",
                files: files!("landing": "probe.html"),
            },
        ],
    },
    Conversation {
        title: "Blog illustrations",
        results: &[
            DemoResult {
                tool: "image_generation",
                output: "Generated 1 image (2400x1200, JPEG, quality 90).\n\
                         Prompt: wide panorama of layered mountain ridges at dawn, flat vector style, starry sky",
                files: files!("illustrations": "illustrations/mountain-panorama.jpg"),
            },
            DemoResult {
                tool: "image_generation",
                output: "Generated an animated GIF (200x200, 12 frames, 80 ms per frame, loops forever).",
                files: files!("illustrations": "loading-spinner.gif"),
            },
        ],
    },
    Conversation {
        title: "Nightly ETL job",
        results: &[
            DemoResult {
                tool: "code_exec",
                output: "$ npx tsc --noEmit\n$ npx vitest run\n \
                         ✓ etl/pipeline.test.ts (12 tests) 184ms\n\n \
                         Test Files  1 passed (1)\n      Tests  12 passed (12)",
                files: files!("etl": "etl/pipeline.ts", "package.json", "config/pipeline.yaml"),
            },
            DemoResult {
                tool: "code_exec",
                output: "$ chmod +x scripts/deploy.sh tools/run\n$ shellcheck scripts/deploy.sh\n\
                         $ tools/run --date 2024-11-03 --dry-run\n--- 2024-11-03\n\
                         dry run: would load 1284 orders",
                files: files!("etl": "scripts/deploy.sh", "tools/run"),
            },
            DemoResult { tool: "code_exec", output: "Wrote README.md.", files: files!("etl": "README.md") },
            DemoResult {
                tool: "code_exec",
                output: "Packaged skill my-skill.skill:\n  SKILL.md\n  scripts/install.sh",
                files: files!("etl": "my-skill.skill"),
            },
        ],
    },
    Conversation {
        title: "Churn model training",
        results: &[
            DemoResult {
                tool: "python_exec",
                output: "$ python train.py --config churn.yaml\n...\n\
                         2024-11-04 02:11:45,074 INFO churn.train  epoch 19/20  loss=0.2486  val_loss=0.3172  \
                         val_auc=0.8741\n\
                         2024-11-04 02:11:45,563 INFO churn.train  early stopping after epoch 19: \
                         no val_loss improvement in 3 epochs\n\
                         2024-11-04 02:11:45,567 INFO churn.train  best epoch 16: val_loss=0.3141 val_auc=0.8760\n\
                         2024-11-04 02:11:45,775 INFO churn.export wrote model.bin (6144 bytes)",
                files: files!("churn": "run.log", "model.bin"),
            },
            DemoResult {
                tool: "python_exec",
                output: "Bundled dist/churn-model-v3.zip (6863 bytes): model_card.md, metrics.json, model.bin",
                files: files!("churn": "dist/churn-model-v3.zip"),
            },
            DemoResult {
                tool: "python_exec",
                output: "Synthesised the dashboard's churn alert tone: alert.wav (0.6 s, 22.05 kHz mono).",
                files: files!("churn": "alert.wav"),
            },
        ],
    },
];
