"""The public board (公示栏): rankings, stars, and their copy in Redis."""
