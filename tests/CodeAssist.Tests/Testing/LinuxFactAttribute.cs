namespace CodeAssist.Tests.Testing;

/// <summary>A fact about a Linux-only feature: reported as skipped, not passed, on other systems.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> off Linux.</summary>
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "Linux only (the feature reads /proc and signals processes)";
        }
    }
}
