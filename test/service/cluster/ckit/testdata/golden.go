// Golden values for alloy-ts's ckit layer (test/service/cluster/ckit/*.test.ts), computed with the
// Go libraries ckit links: github.com/cespare/xxhash and hashicorp/go-msgpack's MsgpackHandle, from
// Debian's sources (golang-github-cespare-xxhash-dev 2.1.1, golang-github-hashicorp-go-msgpack-dev
// 0.5.5; go-msgpack v2, which ckit uses, writes these types identically: sorted struct keys, legacy
// raw strings, smallest unsigned ints). The ring follows ckit's internal/chash/ring.go line by line.
// Nothing is fetched; run it with:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off go run test/service/cluster/ckit/testdata/golden.go
//
//go:build ignore

package main

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/cespare/xxhash"
	"github.com/hashicorp/go-msgpack/codec"
)

type State struct {
	NodeName string
	NewState uint
	Time     uint64
}

type localState struct {
	CurrentTime uint64
	NodeStates  []State
}

func enc(v interface{}) []byte {
	buf := bytes.NewBuffer(nil)
	var h codec.MsgpackHandle
	if err := codec.NewEncoder(buf, &h).Encode(v); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func stateMsg(s State) []byte {
	buf := bytes.NewBuffer(nil)
	_ = binary.Write(buf, binary.BigEndian, uint16(0x1201))
	buf.WriteByte(1)
	buf.Write(enc(&s))
	return buf.Bytes()
}

type tok struct {
	node  string
	token uint64
}

type ring struct {
	n    int
	toks []tok
}

func newRing(numTokens int, nodes []string) *ring {
	var toks []tok
	for _, node := range nodes {
		d := xxhash.New()
		d.Write([]byte(node))
		b := []byte{0}
		for t := 0; t < numTokens; t++ {
			b[0] = byte(t)
			d.Write(b)
			toks = append(toks, tok{node, d.Sum64()})
		}
	}
	sort.Slice(toks, func(i, j int) bool {
		if toks[i].token == toks[j].token {
			return toks[i].node < toks[j].node
		}
		return toks[i].token < toks[j].token
	})
	return &ring{len(nodes), toks}
}

func (r *ring) get(key uint64, n int) []string {
	idx := sort.Search(len(r.toks), func(i int) bool { return r.toks[i].token >= key })
	if idx == len(r.toks) {
		idx = 0
	}
	var res []string
	seen := map[string]bool{}
	for {
		o := r.toks[idx].node
		if !seen[o] {
			res = append(res, o)
			seen[o] = true
		}
		idx = (idx + 1) % len(r.toks)
		if len(res) == n {
			return res
		}
	}
}

func main() {
	fmt.Println("== xxhash")
	for _, s := range []string{"", "a", "abc", "hello world", "node-a", strings.Repeat("0123456789", 10), "The quick brown fox jumps over the lazy dog"} {
		fmt.Printf("%q %016x\n", s, xxhash.Sum64String(s))
	}
	fmt.Println("== digest node-a: sums after name and after tokens 0,1,2,255,256,511")
	d := xxhash.New()
	d.Write([]byte("node-a"))
	fmt.Printf("name %016x\n", d.Sum64())
	for t := 0; t < 512; t++ {
		d.Write([]byte{byte(t)})
		if t <= 2 || t == 255 || t == 256 || t == 511 {
			fmt.Printf("%d %016x\n", t, d.Sum64())
		}
	}
	fmt.Println("== ring 256 node-a,node-b example-key")
	r := newRing(256, []string{"node-a", "node-b"})
	fmt.Println(r.get(xxhash.Sum64String("example-key"), 1))
	fmt.Println("== ring 512 node-a,node-b,node-c: first 3 tokens, last token")
	r = newRing(512, []string{"node-a", "node-b", "node-c"})
	for _, t := range r.toks[:3] {
		fmt.Printf("%s %016x\n", t.node, t.token)
	}
	fmt.Printf("%s %016x\n", r.toks[len(r.toks)-1].node, r.toks[len(r.toks)-1].token)
	for _, k := range []string{"example-key", "some-key", "key-0", "key-1", "key-2", "key-3"} {
		fmt.Printf("%s %v\n", k, r.get(xxhash.Sum64String(k), 3))
	}
	fmt.Printf("key 0 %v\n", r.get(0, 3))
	fmt.Printf("key max %v\n", r.get(^uint64(0), 3))
	fmt.Println("== 10000 keys key-%d over alloy-0..alloy-4 (512), then + alloy-5, then - alloy-2")
	five := []string{"alloy-0", "alloy-1", "alloy-2", "alloy-3", "alloy-4"}
	six := append(append([]string{}, five...), "alloy-5")
	four := []string{"alloy-0", "alloy-1", "alloy-3", "alloy-4"}
	r5, r6, r4 := newRing(512, five), newRing(512, six), newRing(512, four)
	counts := map[string]int{}
	moved6, moved4 := 0, 0
	for i := 0; i < 10000; i++ {
		k := xxhash.Sum64String(fmt.Sprintf("key-%d", i))
		o := r5.get(k, 1)[0]
		counts[o]++
		if r6.get(k, 1)[0] != o {
			moved6++
		}
		if r4.get(k, 1)[0] != o {
			moved4++
		}
	}
	fmt.Println(counts, "moved on join", moved6, "moved on leave", moved4)
	fmt.Println("== msgpack")
	fmt.Println(hex.EncodeToString(stateMsg(State{"n1", 1, 3})))
	fmt.Println(hex.EncodeToString(stateMsg(State{"alloy-0", 2, 300})))
	fmt.Println(hex.EncodeToString(stateMsg(State{"a", 0, 1 << 40})))
	fmt.Println(hex.EncodeToString(enc(&localState{CurrentTime: 7, NodeStates: []State{{"a", 1, 3}, {"b", 0, 0}}})))
	fmt.Println(hex.EncodeToString(enc(&localState{CurrentTime: 0, NodeStates: []State{}})))
	fmt.Println(hex.EncodeToString(enc(&localState{CurrentTime: 0})))
}
