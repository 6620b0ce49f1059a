#!/usr/bin/env node
// The `estibench` command: compiles first only in a source checkout whose sources changed since the
// last build (see ensure-built.js), then runs the CLI from dist/.
import { ensureBuilt } from './ensure-built.js';

ensureBuilt();
await import('../dist/scripts/estibench.js');
