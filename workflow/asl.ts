// The few Amazon States Language shapes the renderer builds.
export type AslState = Record<string, unknown>;

export interface AslDefinition {
  Comment: string;
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
}
