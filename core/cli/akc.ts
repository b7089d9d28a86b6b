// Entry of the `akc` command (bin/akc runs it on the project's Node 22). See README "akc command line".
import { runAkc } from './program.ts';

const code = await runAkc(process.argv.slice(2));
process.exitCode = code;
