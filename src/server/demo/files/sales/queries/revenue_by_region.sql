-- Quarterly revenue by region, each region's share of its quarter, and
-- growth over the region's previous quarter.
WITH quarterly AS (
    SELECT
        region,
        date_trunc('quarter', order_date)::date AS quarter,
        count(*)                                AS orders,
        sum(units * unit_price)                 AS revenue
    FROM sales.orders
    WHERE order_date >= DATE '2024-01-01'
      AND order_date <  DATE '2025-01-01'
    GROUP BY region, quarter
)
SELECT
    quarter,
    region,
    orders,
    revenue,
    round(100.0 * revenue / sum(revenue) OVER (PARTITION BY quarter), 1) AS share_pct,
    round(100.0 * (revenue / lag(revenue) OVER (PARTITION BY region ORDER BY quarter) - 1), 1) AS growth_pct
FROM quarterly
ORDER BY quarter, revenue DESC;
