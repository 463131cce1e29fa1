// Preloaded (NODE_OPTIONS=--import) into every Node process a test starts:
// prints which process this is and the allocator setting and Node flags it started with,
// before its own code runs. With DROP_EXECVE set it also hides
// process.execve, as on a Node that does not have it.
console.log(JSON.stringify({ preload: true, pid: process.pid, script: process.argv[1], mmapThreshold: process.env.MALLOC_MMAP_THRESHOLD_ ?? null, execArgv: process.execArgv }));
if (process.env.DROP_EXECVE) delete process.execve;
