// Data-plane roles of one principal on one storage account.
@description('The storage account.')
param accountName string

@description('The principal (the Function App identity).')
param principalId string

@description('Built-in role definition ids (GUIDs) to grant on the account.')
param roleIds array

resource account 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: accountName
}

resource grants 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in roleIds: {
  name: guid(account.id, principalId, roleId)
  scope: account
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
  }
}]
