// The user-assigned identity the Function App runs as: every data-plane permission is granted to it, none to keys.
@description('Name prefix of the resources.')
param name string

@description('Region.')
param location string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-identity'
  location: location
}

output id string = identity.id
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
