/* stub_blob.S - the stub binary, embedded in umk (exec'd from a memfd). */
	.section .rodata
	.globl stub_blob_start, stub_blob_end
	.balign 16
stub_blob_start:
	.incbin STUB_BIN
stub_blob_end:
	.section .note.GNU-stack,"",@progbits
