using System.Globalization;
using System.Text;

namespace Raft.Model.Text;

/// <summary>Text and numbers for XML, SVG and HTML output: escaped, and formatted the same in every culture.</summary>
internal static class Markup
{
    /// <summary>
    /// Escapes text for an XML (or HTML) element or attribute: &amp; &lt; &gt; &quot; &#39;. Characters XML 1.0
    /// cannot hold (control characters other than tab and line ends, unpaired surrogates, U+FFFE, U+FFFF) become U+FFFD.
    /// </summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length + 16);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        sb.Append(c).Append(text[++i]);
                    }
                    else if ((c < 0x20 && c is not ('\t' or '\n' or '\r')) || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF')
                    {
                        sb.Append('\uFFFD');
                    }
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A coordinate: at most two decimals, '.' as the separator, no exponent.</summary>
    public static string F(double v)
    {
        double r = Math.Round(v, 2, MidpointRounding.AwayFromZero);
        if (r == 0) r = 0; // no "-0"
        return r.ToString("0.##", CultureInfo.InvariantCulture);
    }

    public static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Cuts <paramref name="text"/> to <paramref name="max"/> characters, ending in "..." when cut.</summary>
    public static string Clip(string text, int max) => text.Length <= max ? text : text[..Math.Max(0, max - 3)] + "...";
}
