/// The colours series are drawn in: the Okabe–Ito palette, distinguishable
/// under the common forms of colour-vision deficiency.
///
/// Source: M. Okabe and K. Ito, *Color Universal Design (CUD): how to make
/// figures and presentations that are friendly to colorblind people* (2008).
/// The order puts the colours with the most contrast on white first and the
/// yellow, the weakest on white, last. A series without an explicit colour
/// takes the colour at its position in its plot.
public enum PlotPalette {
    /// The colours as SVG hexadecimal strings: blue, vermillion, bluish
    /// green, orange, reddish purple, sky blue, black, yellow.
    public static let colors: [String] = [
        "#0072B2", "#D55E00", "#009E73", "#E69F00",
        "#CC79A7", "#56B4E9", "#000000", "#F0E442",
    ]

    /// The colour at `index`, wrapping around after the last (and for
    /// negative indices).
    public static func color(_ index: Int) -> String {
        let count = colors.count
        return colors[((index % count) + count) % count]
    }
}
