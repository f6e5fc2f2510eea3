// A compiled Bun hello world (bench/shape-floor.ts): Bun's own start.
console.log("hello, world");
