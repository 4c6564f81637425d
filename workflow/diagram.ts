// A Mermaid flowchart of a definition, for docs/architecture.md: generated, never hand-drawn,
// so the picture cannot drift from the machine.
import type { AslDefinition } from './render.js';

type State = Record<string, unknown>;

const id = (name: string) => name.replace(/[^A-Za-z0-9]/g, '_');

function shape(name: string, state: State): string {
  switch (state['Type']) {
    case 'Choice':
      return `${id(name)}{${name}}`;
    case 'Wait':
      // A poll's pause lasts what its check said (SecondsPath).
      return `${id(name)}([${name} ${state['Seconds'] !== undefined ? `${String(state['Seconds'])} s` : 'as the check says'}])`;
    case 'Succeed':
    case 'Fail':
      return `${id(name)}((${name}))`;
    default:
      return `${id(name)}[${name}]`;
  }
}

/** A poll loop's check: its one rule is `<step>.done == true`. */
const isPollCheck = (choices: State[]) => choices.length === 1 && /\.done$/.test(String(choices[0]?.['Variable'])) && choices[0]?.['BooleanEquals'] === true;
/** The rollback's last decision: a rule that some compensation recorded a failure under `$.leftBehind`. */
const testsLeftBehind = (rule: State): boolean =>
  String(rule['Variable'] ?? '').startsWith('$.leftBehind.') || ((rule['Or'] as State[] | undefined) ?? []).some(testsLeftBehind);

/** The label of a Choice rule's edge and of its Default, read from what the rules test. */
function choiceLabels(choices: State[]): { rule: (choice: State) => string; otherwise: string } {
  if (isPollCheck(choices)) return { rule: () => 'done', otherwise: 'not yet' };
  if (choices.every(testsLeftBehind)) return { rule: () => 'something left behind', otherwise: 'nothing left behind' };
  return { rule: (choice) => String(choice['Variable'] ?? 'rule'), otherwise: 'otherwise' };
}

function edges(name: string, state: State): string[] {
  const out: string[] = [];
  const from = id(name);
  if (typeof state['Next'] === 'string') out.push(`${from} --> ${id(state['Next'])}`);
  const choices = (state['Choices'] as State[] | undefined) ?? [];
  const labels = choiceLabels(choices);
  if (typeof state['Default'] === 'string') out.push(`${from} -.->|${labels.otherwise}| ${id(state['Default'])}`);
  for (const choice of choices) if (typeof choice['Next'] === 'string') out.push(`${from} -->|${labels.rule(choice)}| ${id(choice['Next'])}`);
  for (const c of (state['Catch'] as State[] | undefined) ?? []) out.push(`${from} -.->|error| ${id(String(c['Next']))}`);
  return out;
}

function render(states: Record<string, State>, indent: string, lines: string[]): void {
  for (const [name, state] of Object.entries(states)) {
    if (state['Type'] === 'Parallel') {
      lines.push(`${indent}subgraph ${id(name)} [${name}]`, `${indent}  direction TB`);
      for (const branch of state['Branches'] as { States: Record<string, State> }[]) render(branch.States, `${indent}  `, lines);
      lines.push(`${indent}end`);
    } else {
      lines.push(`${indent}${shape(name, state)}`);
    }
    for (const e of edges(name, state)) lines.push(`${indent}${e}`);
  }
}

export function mermaidDiagram(definition: AslDefinition): string {
  const lines = ['flowchart TD'];
  render(definition.States as Record<string, State>, '  ', lines);
  return lines.join('\n');
}
