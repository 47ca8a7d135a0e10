using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Platform.Core.Alerting;
using Platform.Core.Alerting.Evaluation;
using Platform.Core.Alerting.Routing;

namespace Platform.Functions.Alerting;

/// <summary>Evaluates the rule groups that are due, on a timer (each group keeps its own interval), then flushes the built-in router.</summary>
public sealed class RuleEvaluationFunction(RuleGroupEvaluator evaluator, AlertRouter router, IOptions<AlertingOptions> options)
{
    [Function("EvaluateRules")]
    public async Task Run([TimerTrigger("%Platform:Alerting:EvaluationSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled) return;
        await evaluator.EvaluateDueAsync(cancellationToken);
        await router.FlushAsync(cancellationToken);
    }
}
