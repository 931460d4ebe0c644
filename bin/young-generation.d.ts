// Types of young-generation.js (plain JavaScript: bin/oms.js loads it before any TypeScript can run).
export declare const SEMI_SPACE_FLAG: string;
export declare function replaysLog(argv: readonly string[]): boolean;
export declare function youngGenerationArgs(
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): string[] | null;
export declare function relaunch(script: string, argv: readonly string[], nodeArgs: readonly string[]): Promise<number>;
