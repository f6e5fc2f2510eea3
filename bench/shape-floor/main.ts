// The floor of gomodjail's shape (bench/shape-floor.ts): a compiled Bun program that starts a
// Worker and ends as soon as the Worker answers, which is the least a jailed run does.
const worker = new Worker("./worker.ts");
worker.onmessage = () => process.exit(0);
