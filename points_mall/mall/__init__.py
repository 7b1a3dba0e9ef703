"""The points supermarket (积分超市): shops, goods, stock, orders, the counter, reports."""
