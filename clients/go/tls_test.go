// TLS against the real server with certificates made here (crypto/x509): a CA, a
// server certificate for 127.0.0.1/localhost and a client certificate.

package client

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

type certPair struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	der  []byte
}

func makeCert(t *testing.T, cn string, parent *certPair, isCA bool, client bool) *certPair {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"DiskDB test"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
	}
	if isCA {
		tpl.IsCA = true
		tpl.BasicConstraintsValid = true
		tpl.KeyUsage |= x509.KeyUsageCertSign
	} else if client {
		tpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	} else {
		tpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
		tpl.DNSNames = []string{"localhost"}
		tpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
	}
	signer, signKey := tpl, key
	if parent != nil {
		signer, signKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, signer, &key.PublicKey, signKey)
	must(t, err)
	cert, err := x509.ParseCertificate(der)
	must(t, err)
	return &certPair{cert: cert, key: key, der: der}
}

func writePEM(t *testing.T, dir, name string, p *certPair) (certFile, keyFile string) {
	t.Helper()
	certFile = filepath.Join(dir, name+".crt")
	keyFile = filepath.Join(dir, name+".key")
	must(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.der}), 0o600))
	kb, err := x509.MarshalECPrivateKey(p.key)
	must(t, err)
	must(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600))
	return
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	ca := makeCert(t, "DiskDB test CA", nil, true, false)
	srvCert := makeCert(t, "localhost", ca, false, false)
	cliCert := makeCert(t, "client", ca, false, true)
	caFile, _ := writePEM(t, dir, "ca", ca)
	crt, key := writePEM(t, dir, "server", srvCert)
	tlsPort := freePort()
	srv, err := newServer("--tls-port", strconv.Itoa(tlsPort), "--tls-cert-file", crt,
		"--tls-key-file", key, "--tls-ca-cert-file", caFile)
	if err != nil {
		t.Fatalf("the server binary %s did not start with TLS options: %v", serverBinary(), err)
	}
	defer srv.cleanup()

	plain, err := Connect(srv.addr())
	must(t, err)
	cfgPort, _ := plain.Do("CONFIG", "GET", "tls-port")
	plain.Close()
	tlsAddr := "127.0.0.1:" + strconv.Itoa(tlsPort)
	if nc, err := net.DialTimeout("tcp", tlsAddr, 2*time.Second); err != nil {
		t.Fatalf("the server binary %s lacks TLS support: nothing listens on tls-port %d "+
			"(dial: %v; CONFIG GET tls-port answers %v). Re-run with a binary built with TLS.",
			serverBinary(), tlsPort, err, cfgPort)
	} else {
		nc.Close()
	}

	exerciseTLS(t, tlsAddr, ca, cliCert)
}

// TestTLSClientAgainstRedisServer checks the client's TLS path against redis-server
// 7.0 (built with TLS on Debian), whatever the DiskDB binary supports.
func TestTLSClientAgainstRedisServer(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed")
	}
	dir := t.TempDir()
	ca := makeCert(t, "DiskDB test CA", nil, true, false)
	srvCert := makeCert(t, "localhost", ca, false, false)
	cliCert := makeCert(t, "client", ca, false, true)
	caFile, _ := writePEM(t, dir, "ca", ca)
	crt, key := writePEM(t, dir, "server", srvCert)
	port := freePort()
	cmd := exec.Command(bin, "--port", "0", "--tls-port", strconv.Itoa(port), "--tls-cert-file", crt,
		"--tls-key-file", key, "--tls-ca-cert-file", caFile, "--save", "", "--appendonly", "no",
		"--dir", dir, "--bind", "127.0.0.1")
	must(t, cmd.Start())
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	defer func() { cmd.Process.Kill(); <-exited }()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		nc, err := net.Dial("tcp", addr)
		if err == nil {
			nc.Close()
			break
		}
		select {
		case <-exited:
			t.Fatal("redis-server exited")
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("redis-server did not listen")
		}
		time.Sleep(20 * time.Millisecond)
	}
	exerciseTLS(t, addr, ca, cliCert)
}

func exerciseTLS(t *testing.T, tlsAddr string, ca, cliCert *certPair) {
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	clientPair := tls.Certificate{Certificate: [][]byte{cliCert.der}, PrivateKey: cliCert.key}
	cfg := &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{clientPair}, MinVersion: tls.VersionTLS12}

	db, err := ConnectTLS(tlsAddr, cfg)
	must(t, err)
	defer db.Close()
	must(t, db.Set("tls", "secure"))
	v, err := db.Get("tls")
	must(t, err)
	eq(t, v, "secure")
	// A pipeline and RESP3 over TLS, through a pool of several connections.
	db3, err := ConnectWith(Options{Addr: tlsAddr, TLSConfig: cfg, Protocol: 3, PoolSize: 2})
	must(t, err)
	defer db3.Close()
	res, err := db3.Pipelined(func(p *Pipeline) error {
		p.Incr("n")
		p.Incr("n")
		p.HSet("h", "a", "1")
		p.HGetAll("h")
		return nil
	})
	must(t, err)
	deepEq(t, res, []any{int64(1), int64(2), int64(1), map[string]any{"a": "1"}})
	// Reused pooled connections stay usable (TLS session tickets are not a dead peer).
	for i := 0; i < 5; i++ {
		_, err := db3.Incr("n")
		must(t, err)
	}

	// A client that does not trust the server's CA is refused by the handshake.
	_, err = ConnectTLS(tlsAddr, &tls.Config{Certificates: []tls.Certificate{clientPair}})
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("untrusted CA: %v", err)
	}
}
