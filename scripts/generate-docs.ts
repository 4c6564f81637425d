// Regenerates the docs that are derived from code: the state machine diagrams and the
// request reference. `npm run docs`; test/docs checks they are current.
import { writeFileSync } from 'node:fs';
import { generatedDocs } from './generated-docs.js';

for (const [path, content] of Object.entries(generatedDocs())) {
  writeFileSync(path, content);
  console.log(`wrote ${path}`);
}
