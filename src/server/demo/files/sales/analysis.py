"""Quarterly revenue by region from the 2024 order export."""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

REGIONS = ["North", "South", "East", "West"]
COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2"]


def quarterly_revenue(path: str) -> pd.DataFrame:
    orders = pd.read_csv(path, parse_dates=["date"])
    orders["quarter"] = "Q" + orders["date"].dt.quarter.astype(str)
    table = orders.pivot_table(
        index="quarter", columns="region", values="revenue", aggfunc="sum", fill_value=0
    )
    return table[REGIONS]


def plot(table: pd.DataFrame, out: str) -> None:
    ax = table.plot(kind="bar", color=COLORS, figsize=(8, 5), width=0.8, rot=0)
    ax.set_ylabel("Revenue (USD)")
    ax.yaxis.grid(True, color="#e3e6ec")
    ax.set_axisbelow(True)
    ax.legend(ncols=4, loc="upper right", frameon=False)
    plt.tight_layout()
    plt.savefig(out, dpi=100)


if __name__ == "__main__":
    table = quarterly_revenue(sys.argv[1] if len(sys.argv) > 1 else "data/sales_2024.csv")
    plot(table, "plots/quarterly_revenue.png")
    table["total"] = table.sum(axis=1)
    print(table.round(0).to_string())
    print("Saved plots/quarterly_revenue.png (800x500)")
