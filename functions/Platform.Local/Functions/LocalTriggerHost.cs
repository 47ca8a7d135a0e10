using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using NCrontab;
using Platform.Core.Options;
using Platform.Core.Storage.Azure;

namespace Platform.Local.Functions;

/// <summary>
/// Runs the Functions app's timer- and queue-triggered functions without the Functions host: timers on their
/// CRON schedules (six fields with seconds, or a TimeSpan), queues polled as the host does (messages deleted
/// after success, moved to <c>{queue}-poison</c> after five failed deliveries).
/// </summary>
public sealed partial class LocalTriggerHost(IEnumerable<LocalFunction> functions, IServiceProvider services, IConfiguration configuration, ILogger<LocalTriggerHost> logger) : BackgroundService
{
    private const int MaxDequeueCount = 5;

    /// <summary>Resolves <c>%setting%</c> binding expressions from configuration, as the Functions host does.</summary>
    public static string Resolve(string expression, IConfiguration configuration) =>
        SettingPattern().Replace(expression, m => configuration[m.Groups[1].Value]
            ?? throw new InvalidOperationException($"The binding expression '{expression}' names setting '{m.Groups[1].Value}', which is not set."));

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = new List<Task>();
        foreach (LocalFunction function in functions)
        {
            switch (function.Trigger)
            {
                case "timerTrigger":
                    loops.Add(RunTimerAsync(function, Resolve(function.Source!, configuration), stoppingToken));
                    break;
                case "queueTrigger":
                    loops.Add(RunQueueAsync(function, Resolve(function.Source!, configuration), stoppingToken));
                    break;
            }
        }

        return Task.WhenAll(loops);
    }

    private async Task RunTimerAsync(LocalFunction function, string schedule, CancellationToken stoppingToken)
    {
        Func<DateTime, DateTime> next = TimeSpan.TryParse(schedule, CultureInfo.InvariantCulture, out TimeSpan every)
            ? now => now + every
            : CrontabSchedule.Parse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 }).GetNextOccurrence;
        while (!stoppingToken.IsCancellationRequested)
        {
            DateTime now = DateTime.SpecifyKind(TimeProvider.System.GetUtcNow().UtcDateTime, DateTimeKind.Unspecified);
            TimeSpan wait = next(now) - now;
            try
            {
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, stoppingToken);
                await InvokeAsync(function, new TimerInfo(), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogInvocationFailed(logger, ex, function.Name);
            }
        }
    }

    private async Task RunQueueAsync(LocalFunction function, string queueName, CancellationToken stoppingToken)
    {
        StorageOptions storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        QueueClient queue = StorageClients.Queue(storage, queueName);
        QueueClient poison = StorageClients.Queue(storage, queueName + "-poison");
        TimeSpan idle = TimeSpan.FromMilliseconds(50);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                QueueMessage[] messages = await queue.ReceiveMessagesAsync(16, TimeSpan.FromMinutes(5), stoppingToken);
                if (messages.Length == 0)
                {
                    // Back off while idle, but stay within about a second of a new message.
                    await Task.Delay(idle, stoppingToken);
                    idle = TimeSpan.FromMilliseconds(Math.Min(idle.TotalMilliseconds * 2, 1000));
                    continue;
                }

                idle = TimeSpan.FromMilliseconds(50);
                await Task.WhenAll(messages.Select(m => HandleMessageAsync(function, queue, poison, m, stoppingToken)));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogQueueFailed(logger, ex, queueName);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task HandleMessageAsync(LocalFunction function, QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken stoppingToken)
    {
        try
        {
            await InvokeAsync(function, message.Body.ToString(), stoppingToken);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogInvocationFailed(logger, ex, function.Name);
            if (message.DequeueCount >= MaxDequeueCount)
            {
                await poison.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                await poison.SendMessageAsync(message.Body, cancellationToken: stoppingToken);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.FromSeconds(1 << (int)message.DequeueCount), cancellationToken: stoppingToken);
            }
        }
    }

    private async Task InvokeAsync(LocalFunction function, object trigger, CancellationToken cancellationToken)
    {
        await using AsyncServiceScope scope = services.CreateAsyncScope();
        MethodInfo method = function.Method;
        object? instance = method.IsStatic ? null : ActivatorUtilities.CreateInstance(scope.ServiceProvider, method.DeclaringType!);
        object?[] args = [.. method.GetParameters().Select(p => p.ParameterType == typeof(CancellationToken) ? cancellationToken : p.ParameterType.IsInstanceOfType(trigger) ? trigger : throw new InvalidOperationException($"The local host cannot bind parameter '{p.Name}' of {function.Name}."))];
        try
        {
            if (method.Invoke(instance, args) is Task task)
            {
                await task;
            }
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
        }
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingPattern();

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} failed")]
    private static partial void LogInvocationFailed(ILogger logger, Exception exception, string function);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling queue {Queue} failed; retrying")]
    private static partial void LogQueueFailed(ILogger logger, Exception exception, string queue);
}
