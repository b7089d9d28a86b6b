// Entry of the `akc` command (bin/akc runs it on the project's Node 22). See README "akc command line".
import { runAkc } from './program.ts';

const code = await runAkc(process.argv.slice(2));
// `akc run` sets its child's exit code itself; an error of akc's own wins.
if (code !== 0 || process.exitCode === undefined) process.exitCode = code;
