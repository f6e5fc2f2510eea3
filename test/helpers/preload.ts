// Loaded before every test file (bunfig.toml): see there why.
process.env.GOMODJAIL_ANALYSIS = "off";
