// Application Insights on a Log Analytics workspace: the Functions host's logs and traces, and the platform's own
// metrics through the Azure Monitor exporter (APPLICATIONINSIGHTS_CONNECTION_STRING).
@description('Name prefix of the resources.')
param name string

@description('Region.')
param location string

@description('Days the workspace keeps data.')
param retentionInDays int = 30

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${name}-logs'
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${name}-insights'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
  }
}

output connectionString string = insights.properties.ConnectionString
