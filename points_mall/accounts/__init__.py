"""Log-in and binding: WeChat and password logins, tokens, the console's QR log-in, the members' web log-in."""
