// One autocannon run through its programmatic API, in a child process so it can be pinned to the load CPU
// (and so the bench's own process, which samples /proc and churns files, does not share its event loop).
// Argument: the autocannon options as JSON, plus `uploadBytes` (a body of that size with every request).
// Prints the result as one JSON line.
import autocannon from 'autocannon';

const { uploadBytes, ...options } = JSON.parse(process.argv[2]!) as autocannon.Options & { uploadBytes?: number };
const body = uploadBytes === undefined ? undefined : Buffer.alloc(uploadBytes, 'x');
const result = await autocannon({ ...options, ...(body ? { body, method: 'POST' } : {}) });
process.stdout.write(JSON.stringify(result) + '\n');
