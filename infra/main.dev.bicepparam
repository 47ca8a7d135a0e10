using 'main.bicep'

// A small stage for trying the platform: scales to zero, keys allowed on storage for tooling convenience.
param name = 'platdev'
param adminKey = readEnvironmentVariable('PLATFORM_ADMIN_KEY', '')
param allowSharedKeyAccess = true
param maximumInstanceCount = 10
param instanceMemoryMB = 2048
param alwaysReadyHttp = 0
