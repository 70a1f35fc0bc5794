package cpukernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Blocking of the packed GEMM (the classic Goto/BLIS design): for each block of
// kcBlock steps of the contracted dimension, a task packs its block of A (mc
// rows) and of B (nc columns) into micro-panels, then runs the micro-kernel
// over every MR×NR tile. A B micro-panel (kcBlock×NR floats, 16 KiB for the
// AVX-512 kernel) and an A micro-panel (4 KiB) stay in a 32 KiB L1 cache
// while the kernel walks down the A block, which stays in L2 (aBlockBytes); the B block (bBlockBytes) is read
// once per A micro-panel row from L2/L3. Blocks are as large as those budgets
// allow, so that each element is packed as few times as possible.
const (
	kcBlock     = 128
	aBlockBytes = 512 << 10
	bBlockBytes = 1 << 20
)

// minParallelFlops is the size of product below which splitting it over
// goroutines costs more than it saves.
const minParallelFlops = 1 << 21

// matrices is a read-only view of a float32 tensor as a batch of matrices,
// read through offset tables so that any axis layout (batch axes anywhere,
// several contracting axes, transposed operands) needs no re-layout copy:
// element (b, r, c) is data[batch[b] + rows[r] + cols[c]].
type matrices struct {
	data              []float32
	batch, rows, cols []int
}

func newMatrices(data []float32, batch, rows, cols []int) matrices {
	return matrices{data: data, batch: batch, rows: rows, cols: cols}
}

// gemm computes out[b, i, j] = Σ_k a(b, i, k)·b(b, k, j) for every batch b,
// with out row-major [len(a.batch), len(a.rows), len(b.cols)], using kernel
// and at most workers goroutines. a.cols and b.rows index the same contracted
// dimension; a.batch and b.batch the same batch.
func gemm(kern *microKernel, a, b matrices, out []float32, workers int) {
	batch, m, n, k := len(a.batch), len(a.rows), len(b.cols), len(a.cols)
	if batch == 0 || m == 0 || n == 0 {
		return
	}
	if k == 0 {
		clear(out[:batch*m*n])
		return
	}
	kc := min(kcBlock, k)
	// Blocks within budget, of even sizes (no sliver of a last block).
	mc := evenBlock(m, max(kern.mr, aBlockBytes/(4*kc)/kern.mr*kern.mr), kern.mr)
	nc := evenBlock(n, max(kern.nr, bBlockBytes/(4*kc)/kern.nr*kern.nr), kern.nr)
	flops := 2 * batch * m * n * k
	if flops < minParallelFlops {
		workers = 1
	}
	tasksOf := func(mc, nc int) int { return batch * ceilDiv(m, mc) * ceilDiv(n, nc) }
	// With fewer tasks than workers (or a few tasks that do not share out
	// evenly), split a block: splitting the columns packs the A block once
	// more per extra task, splitting the rows the B block, so split the side
	// whose other block is the smaller.
	unbalanced := func() bool {
		t := tasksOf(mc, nc)
		return t < workers || (t < 4*workers && t%workers != 0)
	}
	for split := true; split && unbalanced(); {
		canM, canN := mc >= 2*kern.mr, nc >= 2*kern.nr
		switch {
		case canN && (mc <= nc || !canM):
			nc = evenBlock(n, roundUp(nc/2, kern.nr), kern.nr)
		case canM:
			mc = evenBlock(m, roundUp(mc/2, kern.mr), kern.mr)
		default:
			split = false
		}
	}
	g := gemmJob{kern: kern, a: a, b: b, out: out, m: m, n: n, k: k, mc: mc, nc: nc,
		mTasks: ceilDiv(m, mc), nTasks: ceilDiv(n, nc)}
	tasks := tasksOf(mc, nc)
	workers = max(1, min(workers, tasks))
	if workers == 1 {
		s := kern.getScratch()
		for t := range tasks {
			g.task(t, s)
		}
		kern.putScratch(s)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			s := kern.getScratch()
			defer kern.putScratch(s)
			for {
				t := int(next.Add(1) - 1)
				if t >= tasks {
					return
				}
				g.task(t, s)
			}
		})
	}
	wg.Wait()
}

// gemmJob is one gemm call split into tasks: a task is an (mc × nc) block of
// the output of one batch element, computed over the whole contracted
// dimension.
type gemmJob struct {
	kern           *microKernel
	a, b           matrices
	out            []float32
	m, n, k        int
	mc, nc         int
	mTasks, nTasks int
}

func (g *gemmJob) task(t int, s *scratch) {
	kern := g.kern
	mr, nr := kern.mr, kern.nr
	jTask := t % g.nTasks
	iTask := (t / g.nTasks) % g.mTasks
	bi := t / (g.nTasks * g.mTasks)
	i0, j0 := iTask*g.mc, jTask*g.nc
	mc, nc := min(g.mc, g.m-i0), min(g.nc, g.n-j0)
	aBase, bBase := g.a.batch[bi], g.b.batch[bi]
	outBase := bi * g.m * g.n
	ldc := g.n
	s.grow(roundUp(mc, mr)*min(kcBlock, g.k), min(kcBlock, g.k)*roundUp(nc, nr))
	for p0 := 0; p0 < g.k; p0 += kcBlock {
		kc := min(kcBlock, g.k-p0)
		accumulate := 0
		if p0 > 0 {
			accumulate = 1
		}
		// B is read in place when its rows are evenly spaced and its columns
		// contiguous: only a last, partial panel is packed (as panel 0).
		ldb, inPlace := g.b.inPlaceStride(p0, kc, j0, nc)
		if inPlace {
			if full := nc / nr * nr; full < nc {
				packB(s.b, &g.b, bBase, p0, kc, j0+full, nc-full, nr, kern.transpose8)
			}
		} else {
			packB(s.b, &g.b, bBase, p0, kc, j0, nc, nr, kern.transpose8)
		}
		packA(s.a, &g.a, aBase, i0, mc, p0, kc, mr, kern.transpose8)
		for jp := 0; jp < nc; jp += nr {
			cols := min(nr, nc-jp)
			bPanel, bStride := &s.b[(jp/nr)*kc*nr], nr
			switch {
			case inPlace && cols == nr:
				bPanel, bStride = &g.b.data[bBase+g.b.rows[p0]+g.b.cols[j0+jp]], ldb
			case inPlace:
				bPanel = &s.b[0]
			}
			for ip := 0; ip < mc; ip += mr {
				aPanel := &s.a[(ip/mr)*kc*mr]
				rows := min(mr, mc-ip)
				if rows == mr && cols == nr {
					kern.run(kc, aPanel, bPanel, &g.out[outBase+(i0+ip)*ldc+j0+jp], bStride, ldc, accumulate)
					continue
				}
				// Edge tile: compute the whole MR×NR tile into scratch and
				// add (or copy) its valid part.
				kern.run(kc, aPanel, bPanel, &s.tile[0], bStride, nr, 0)
				dst := g.out[outBase+(i0+ip)*ldc+j0+jp:]
				for r := range rows {
					row := dst[r*ldc : r*ldc+cols]
					tile := s.tile[r*nr : r*nr+cols]
					if accumulate == 0 {
						copy(row, tile)
					} else {
						for c, v := range tile {
							row[c] += v
						}
					}
				}
			}
		}
	}
}

// inPlaceStride reports whether the kernel can read B's block of steps
// [p0, p0+kc) × columns [j0, j0+nc) straight from data: columns contiguous
// and steps evenly spaced, ldb > 0 apart.
func (m *matrices) inPlaceStride(p0, kc, j0, nc int) (ldb int, ok bool) {
	if !contiguous(m.cols[j0 : j0+nc]) {
		return 0, false
	}
	steps := m.rows[p0 : p0+kc]
	if kc == 1 {
		return 1, true // any stride: the kernel reads one step
	}
	ldb = steps[1] - steps[0]
	if ldb <= 0 {
		return 0, false
	}
	for p := 2; p < kc; p++ {
		if steps[p]-steps[p-1] != ldb {
			return 0, false
		}
	}
	return ldb, true
}

// packA copies rows [i0, i0+mc) × contracted [p0, p0+kc) of a batch element
// (at offset base) into MR-row micro-panels: panel q holds rows
// i0+q·MR … i0+q·MR+MR-1 as kc consecutive groups of MR floats, rows past mc
// zero-filled.
func packA(dst []float32, a *matrices, base, i0, mc, p0, kc, mr int, transpose8 transposer) {
	for ip := 0; ip < mc; ip += mr {
		packPanel(dst[(ip/mr)*kc*mr:(ip/mr+1)*kc*mr], a.data, base, a.rows[i0+ip:i0+min(ip+mr, mc)], a.cols[p0:p0+kc], mr, transpose8)
	}
}

// packB copies contracted [p0, p0+kc) × columns [j0, j0+nc) of a batch element
// (at offset base) into NR-column micro-panels: panel q holds columns
// j0+q·NR … j0+q·NR+NR-1 as kc consecutive groups of NR floats, columns past
// nc zero-filled.
func packB(dst []float32, b *matrices, base, p0, kc, j0, nc, nr int, transpose8 transposer) {
	for jp := 0; jp < nc; jp += nr {
		packPanel(dst[(jp/nr)*kc*nr:(jp/nr+1)*kc*nr], b.data, base, b.cols[j0+jp:j0+min(jp+nr, nc)], b.rows[p0:p0+kc], nr, transpose8)
	}
}

// transposer transposes 8×8 blocks (see microKernel.transpose8); nil if the
// kernel has none.
type transposer = func(dst *float32, ldd int, src *float32, lds int, blocks int)

// packPanel writes one micro-panel: for every step p of the contracted axis,
// width floats, lane l being data[base + lanes[l] + steps[p]], lanes past
// len(lanes) zero. It copies along whichever of the two is contiguous in
// data: the lanes (one copy per step), else the steps: 8×8 blocks transposed
// at once when the lanes are evenly spaced and transpose8 is given, the rest
// as runs of steps scattered every width floats.
func packPanel(panel, data []float32, base int, lanes, steps []int, width int, transpose8 transposer) {
	n := len(lanes)
	if contiguous(lanes) {
		for p, off := range steps {
			start := base + lanes[0] + off
			row := panel[p*width : p*width+width]
			src := data[start : start+n]
			if n >= 16 {
				copy(row, src)
			} else {
				for i, v := range src { // short runs: a loop beats copy's call
					row[i] = v
				}
			}
			clear(row[n:])
		}
		return
	}
	done := 0 // lanes packed by 8×8 transposes, over steps [0, blocks·8)
	blocks := len(steps) / 8
	if ls, ok := evenlySpaced(lanes); ok && transpose8 != nil && blocks > 0 && n >= 8 && contiguous(steps) {
		for ; done+8 <= n; done += 8 {
			start := base + lanes[done] + steps[0]
			_ = data[start+7*ls+8*blocks-1] // the last element the transposes read
			transpose8(&panel[done], width, &data[start], ls, blocks)
		}
	}
	for l, laneOff := range lanes {
		lane := panel[l:]
		p := 0
		if l < done {
			p = blocks * 8
		}
		for p < len(steps) {
			q := p + 1
			for q < len(steps) && steps[q] == steps[q-1]+1 {
				q++
			}
			start := base + laneOff + steps[p]
			scatterStrided(lane[p*width:], data[start:start+q-p], width)
			p = q
		}
	}
	if n < width {
		for p := range steps {
			clear(panel[p*width+n : p*width+width])
		}
	}
}

// evenlySpaced returns s > 0 if offsets[i] = offsets[0] + i·s for all i.
func evenlySpaced(offsets []int) (s int, ok bool) {
	if len(offsets) < 2 {
		return 1, len(offsets) == 1
	}
	s = offsets[1] - offsets[0]
	for i := 2; i < len(offsets); i++ {
		if offsets[i]-offsets[i-1] != s {
			return 0, false
		}
	}
	return s, s > 0
}

// contiguous reports whether offsets are consecutive integers.
func contiguous(offsets []int) bool {
	for i := 1; i < len(offsets); i++ {
		if offsets[i] != offsets[i-1]+1 {
			return false
		}
	}
	return len(offsets) > 0
}

// scatterStrided writes src[i] to dst[i·stride].
func scatterStrided(dst, src []float32, stride int) {
	if len(src) == 0 {
		return
	}
	_ = dst[(len(src)-1)*stride] // one bounds check for the loop below
	d := unsafe.Pointer(&dst[0])
	for i, v := range src {
		*(*float32)(unsafe.Add(d, 4*i*stride)) = v
	}
}

// scratch is one worker's packing space; scratches live in per-kernel pools,
// never in shared globals.
type scratch struct {
	a, b, tile []float32
}

func (kern *microKernel) getScratch() *scratch {
	if s, ok := kern.scratch.Get().(*scratch); ok {
		return s
	}
	return &scratch{tile: make([]float32, kern.mr*kern.nr)}
}

// grow makes room for packed blocks of a and b floats.
func (s *scratch) grow(a, b int) {
	if len(s.a) < a {
		s.a = make([]float32, a)
	}
	if len(s.b) < b {
		s.b = make([]float32, b)
	}
}

func (kern *microKernel) putScratch(s *scratch) { kern.scratch.Put(s) }

// Workers is the number of goroutines one product is split over: the CPUs
// the Go runtime may use at once.
func Workers() int { return runtime.GOMAXPROCS(0) }

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// evenBlock returns the block size, a multiple of unit and at most limit
// (≥ unit), that covers n in the fewest blocks of nearly equal size.
func evenBlock(n, limit, unit int) int {
	return min(limit, roundUp(ceilDiv(n, ceilDiv(n, limit)), unit))
}

func roundUp(a, b int) int { return ceilDiv(a, b) * b }
