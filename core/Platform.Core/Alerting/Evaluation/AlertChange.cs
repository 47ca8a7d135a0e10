namespace Platform.Core.Alerting.Evaluation;

/// <summary>A state change of one alert at one evaluation: what the <c>alerts</c> topic records.</summary>
public sealed record AlertChange(string Group, string Rule, string Fingerprint, string From, string To, long At, ActiveAlert Alert);
