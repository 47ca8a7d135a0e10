using 'main.bicep'

// A small stage for trying the platform: slower timers (each run is billed), keys allowed on storage for tooling.
// The timers still run while idle: this stage costs a little even with no traffic (docs/capacity.md).
param name = 'platdev'
param adminKey = readEnvironmentVariable('PLATFORM_ADMIN_KEY', '')
param allowSharedKeyAccess = true
param maximumInstanceCount = 10
param instanceMemoryMB = 2048
param alwaysReadyHttp = 0
param keyedViewSchedule = '0 * * * * *'
param dispatchSchedule = '0 * * * * *'
param evaluationSchedule = '0 * * * * *'
param operatorPrincipalId = readEnvironmentVariable('PLATFORM_OPERATOR_OBJECT_ID', '')
