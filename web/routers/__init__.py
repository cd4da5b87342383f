"""HTTP routers: thin — parse, one service call, respond."""
