/** The event source and detail type a global database's promoter announces a completed promotion with, on its region's default bus. */
export const PROMOTED_EVENT = { source: 'cdk-ha-patterns', detailType: 'HaDatabase Promoted' } as const;
