// The labels of the generated diagrams say what each decision tests.
import { describe, expect, it } from 'vitest';
import { mermaidDiagram } from '../../workflow/diagram.js';
import { renderDefinition, renderRollbackDefinition } from '../../workflow/render.js';

const edgesFrom = (diagram: string, state: string) =>
  diagram
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith(`${state} -`));

describe('the state machine diagrams', () => {
  it("label the rollback machine's last decision by what was left behind", () => {
    const edges = edgesFrom(mermaidDiagram(renderRollbackDefinition()), 'CheckLeftBehind');
    expect(edges).toEqual(
      expect.arrayContaining(['CheckLeftBehind -->|something left behind| RollbackIncomplete', 'CheckLeftBehind -.->|nothing left behind| RollbackComplete']),
    );
    expect(edges).toHaveLength(2);
  });

  it('label a poll loop "done" towards the next step and "not yet" back to its pause', () => {
    const edges = edgesFrom(mermaidDiagram(renderDefinition('stop')), 'WaitForFileSystemDone');
    expect(edges).toEqual(['WaitForFileSystemDone -.->|not yet| WaitForFileSystemPause', 'WaitForFileSystemDone -->|done| WaitForDataRepositoryAssociation']);
  });
});
