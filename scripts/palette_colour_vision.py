"""The series palette (`Color.colorBlindSafe`, Sources/Plotting/Geometry.swift) and its CIEDE2000
distances under normal and dichromatic colour vision; the reference values of
Tests/PlottingTests/PaletteColourVisionTests.swift.

The palette is the Okabe-Ito palette (Okabe & Ito, "Color Universal Design", 2008) without its yellow
F0E442 (too light on white: CIELAB L* 89), in its order, and two colours chosen by a max-min search
over the sRGB grid of steps of 5 (0, 5, ..., 255 per channel), within the lightness band of the kept
chromatic colours (L* from 0072B2's 46 to E69F00's 71) and at least as colourful (CIELAB chroma) as
the least colourful of them: the pair of grid colours that maximises the least CIEDE2000 distance
between an extra colour and any other colour (the kept seven, the other extra and the charts'
reference grey 777777), in the worst of four colour visions: normal, protanopia, deuteranopia and
tritanopia, simulated by Machado,
Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color vision
deficiency", IEEE TVCG 15(6), severity 1 matrices applied to linear sRGB, clipped to [0, 1]. The
search is exact over the grid (see `main`) and deterministic. Seven colours more follow, chosen one
at a time over the same grid and band, each the farthest in the worst vision from every colour
before it and the grey (a greedy max-min search, which keeps the first nine, and the first twelve of
an earlier palette, as they were), so that 16 series (the defenses example's 13 defenses and 2
models) get 16 colours before any colour comes round again.

Run:  pip install numpy colour-science==0.4.7 && python3 scripts/palette_colour_vision.py
Printed (the test asserts these minima to 0.01):
  palette and per-vision minimum pairwise dE2000 over the sixteen colours.
"""
import itertools
import warnings

import numpy as np

warnings.filterwarnings("ignore")  # colour-science warns that matplotlib is missing
import colour  # noqa: E402

OKABE_ITO = ["0072B2", "D55E00", "009E73", "CC79A7", "E69F00", "56B4E9", "000000"]
REFERENCE_GREY = "777777"
# Colours added after the nine, one at a time, so that a study of 16 defenses and models gets 16 colours.
MORE_EXTRAS = 7
VISIONS = {
    "normal": np.eye(3),
    "protan": colour.blindness.matrix_cvd_Machado2009("Protanomaly", 1),
    "deutan": colour.blindness.matrix_cvd_Machado2009("Deuteranomaly", 1),
    "tritan": colour.blindness.matrix_cvd_Machado2009("Tritanomaly", 1),
}
D65 = colour.CCS_ILLUMINANTS["CIE 1931 2 Degree Standard Observer"]["D65"]


def rgb(hexes):
    return np.array([[int(h[i:i + 2], 16) for i in (0, 2, 4)] for h in hexes], float) / 255


def lab(srgb, matrix):
    """CIELAB (D65) of 8-bit sRGB colours in [0, 1] as seen through `matrix` (linear sRGB)."""
    seen = np.clip(colour.models.eotf_sRGB(srgb) @ matrix.T, 0, 1)
    xyz = colour.RGB_to_XYZ(seen, colour.RGB_COLOURSPACES["sRGB"], apply_cctf_decoding=False)
    return colour.XYZ_to_Lab(xyz, D65)


def worst_distance(a, b):
    """The least over the visions of dE2000 between each of `a` and each of `b` (sRGB rows): len(a) x len(b)."""
    return np.stack([colour.delta_E(lab(a, m)[:, None, :], lab(b, m)[None, :, :], method="CIE 2000")
                     for m in VISIONS.values()]).min(0)


def main():
    levels = np.arange(0, 256, 5)
    grid = np.array(list(itertools.product(levels, levels, levels)), float) / 255
    fixed = rgb(OKABE_ITO)
    # The extras stay within the lightness band of the kept chromatic colours (all but black) and
    # are at least as colourful as the least colourful of them (CIELAB chroma).
    kept, seen = lab(fixed[:-1], np.eye(3)), lab(grid, np.eye(3))
    chroma = lambda values: np.hypot(values[:, 1], values[:, 2])  # noqa: E731
    grid = grid[(seen[:, 0] >= kept[:, 0].min()) & (seen[:, 0] <= kept[:, 0].max()) & (chroma(seen) >= chroma(kept).min())]
    obstacles = np.vstack([fixed, rgb([REFERENCE_GREY])])
    to_fixed = worst_distance(grid, obstacles).min(1)
    # A pair scores the least of its colours' distances to the fixed ones and to each other. Every pair
    # among the k candidates farthest from the fixed ones is scored; a pair with a candidate outside
    # them scores at most that candidate's distance to the fixed ones, so once the best pair found
    # reaches it, the best pair of the whole grid is found (k doubles until then).
    order = np.argsort(-to_fixed, kind="stable")
    k = 64
    while True:
        top = order[:k]
        pair = np.minimum(worst_distance(grid[top], grid[top]), np.minimum.outer(to_fixed[top], to_fixed[top]))
        pair[np.eye(k, dtype=bool)] = -np.inf
        i, j = np.unravel_index(np.argmax(pair), pair.shape)
        best = pair[i, j]
        if k >= len(order) or to_fixed[order[k]] <= best:
            break
        k *= 2
    extras = sorted([top[i], top[j]], key=lambda e: -to_fixed[e])
    hexes = OKABE_ITO + ["%02X%02X%02X" % tuple(int(round(c * 255)) for c in grid[e]) for e in extras]
    print("extra colours' least dE2000 to any other (worst vision): %.2f" % best)
    # Then MORE_EXTRAS colours more, one at a time (greedy max-min, so that the first nine stay as they
    # are): each the grid colour (same band) farthest, in the worst vision, from every colour so far
    # and the reference grey; the first such in grid order on a tie.
    to_palette = worst_distance(grid, np.vstack([rgb(hexes), rgb([REFERENCE_GREY])])).min(1)
    for _ in range(MORE_EXTRAS):
        chosen = int(np.argmax(to_palette))
        print("colour %d's least dE2000 to any other (worst vision): %.2f" % (len(hexes) + 1, to_palette[chosen]))
        hexes.append("%02X%02X%02X" % tuple(int(round(c * 255)) for c in grid[chosen]))
        to_palette = np.minimum(to_palette, worst_distance(grid, grid[chosen:chosen + 1])[:, 0])
    palette = rgb(hexes)
    print("palette:", " ".join(hexes))
    for name, matrix in VISIONS.items():
        distances = colour.delta_E(lab(palette, matrix)[:, None, :], lab(palette, matrix)[None, :, :], method="CIE 2000")
        distances[np.eye(len(hexes), dtype=bool)] = np.inf
        i, j = np.unravel_index(np.argmin(distances), distances.shape)
        print("%s: least pairwise dE2000 %.4f (%s, %s)" % (name, distances[i, j], hexes[i], hexes[j]))
    print("Sharma et al. (2005) pair 1 dE2000: %.4f" % colour.delta_E(np.array([50, 2.6772, -79.7751]),
                                                                    np.array([50, 0, -82.7485]), method="CIE 2000"))


if __name__ == "__main__":
    main()
