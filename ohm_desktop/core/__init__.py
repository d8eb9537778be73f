"""Qt-free turn engine: keys, gateway, routing, agents, tools, orchestration."""
